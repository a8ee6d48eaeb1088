"""The bottom layer of the services: what every use case builds on.

Loading and locking rows (`rows`), the conversion between rows and domain states (`states`),
queue queries (`queue`), who is on duty (`duty`), the event log (`events`), the read models the
API and boards show (`views`, `readmodels`), print-job queuing (`print_queue`) and credentials.
Use-case modules (`server/services/*.py`) import this package, `domain/`, `storage/` and
`printing/`, never each other; nothing here imports a use case.
"""
