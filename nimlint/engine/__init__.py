"""Rule engine: rule model, registry, declarative rules and the runner."""
