"""Run:ai 2.24 NIM-service workload policies, checked offline (imported only with --policy).

``schema`` builds the policy JSON Schema from the seed, ``load`` reads and validates policy
files, ``merge`` folds several scopes into one, ``apply`` turns a create request into the
effective request, ``check`` reports rule violations; ``decisions`` holds every choice
nimlint makes where the Run:ai sources are silent.
"""
