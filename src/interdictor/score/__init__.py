"""Scoring: versioned rule sets turn reasons into a score and a recommended disposition."""
