"""The officer workspace: Jinja2 templates and static assets (CSS, a little JS), packaged — no CDN."""
