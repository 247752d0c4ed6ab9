"""Hosted for a network: who the user is, what they may see and edit, the network team's view."""
