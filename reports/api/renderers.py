"""`?format=csv` and `?format=xlsx` on every report: the view turns its report into a
table (reports.exports) and these renderers write it."""

from rest_framework.renderers import BaseRenderer

from reports import exports


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return exports.to_csv(data)


class XLSXRenderer(BaseRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return exports.to_xlsx(data)
