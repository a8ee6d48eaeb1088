"""Service layer: each public function owns one transaction, asks domain/ what happens,
writes the new state with its events, commits, and only then publishes the events."""
