"""News ingestion: crawl news sites, extract articles and teasers, index them in Elasticsearch."""
