"""Source adapters: one module per source kind (`registry.ADAPTERS`), the catalog that binds
`sources/*.toml` to them, and the HTML helpers they share."""
