"""Product analytics (PostHog)."""
