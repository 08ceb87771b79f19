"""The effective request: layers merged with provenance, linted, findings placed in one layer.

``merge`` folds a lower layer under an upper one and remembers, for every pointer of the
result, which layer and which pointer in it the value came from (``Effective.origin``).
``placement.lint_effective`` lints the result with the ordinary rules and reports each finding
in a target layer's file. PATCH preview (``preview``) and policy defaults build on these two.
Imported only when one of those features is used, never on the plain ``check FILE`` path.
"""
