"""The reporting service: what the downloads pages, the CLI, the console and the workers share.

It sits below the blueprints and above the pure report engine (``reports``): it decides which
villages a request covers, reads the database in read-only transactions, keeps the per-village
summary statistics current (``summaries``) and records every download in the audit log.
Nothing here knows about a request; the views and commands pass in the user and the options.
"""
