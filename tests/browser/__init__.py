"""Real-browser tests: Debian's Chromium driven by Playwright against the app on a live server."""
