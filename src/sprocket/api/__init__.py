"""The GraphQL door: one schema stitched from every domain."""
