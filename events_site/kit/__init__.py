"""The shared helpers every app uses (text, PDF toolkit, errors, validation, cache, client
address, input guard, idempotency, ...). They import no app, so that any app may import
them without bending the one-way dependency between apps (import-linter checks it)."""
