"""The web layer's shared pieces: page helpers, the home page, the URLs printed on slips."""
