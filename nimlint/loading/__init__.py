"""Loading: bytes -> text -> documents that remember where every key and value was."""
