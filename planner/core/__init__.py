"""Cross-cutting pieces every area uses: permissions, errors, audit log, request transactions."""
