"""The embeddable survey widget, shipped as package data (see anbefal.js)."""
