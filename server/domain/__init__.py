"""Pure rules of the hall: no Flask, no SQLAlchemy, no I/O.

Plain values in, new state (and the event type that happened) out. Every rule here has a
unit test named after it in tests/unit/.
"""
