"""Deployment artefacts: the container image and the Helm chart."""
