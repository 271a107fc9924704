"""Text <-> table rules (RULES.md group D) and TYPO-TERMS. Being written."""
