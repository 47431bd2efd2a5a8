"""Checks a JSON Schema cannot express, as small functions that yield findings.

``documents`` holds the rules for one document at a time; ``catalog`` the rules that look
across documents (references, versions).
"""
