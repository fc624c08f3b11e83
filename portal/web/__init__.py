"""Thin blueprints: parse the request, call one core function, render plain values."""
