"""Kubernetes value grammars: quantities, names and image references."""
