"""gunicorn settings read from the working directory (`gunicorn backoffice.wsgi:application`).

A request line (method, path and query string) may be as long as gunicorn allows: report
and list filters repeat parameters, and a longer line would be refused with gunicorn's own
HTML 414 page before Django could answer in JSON.
"""

limit_request_line = 8190
