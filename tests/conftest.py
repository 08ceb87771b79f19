"""Load the hypothesis profile before any test module builds its settings."""

from tests import profiles

profiles.load()
