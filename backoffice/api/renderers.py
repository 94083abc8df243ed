"""Renderers for endpoints that answer a file (PDF, ZIP, XML, a scan).

A successful answer is a FileResponse/HttpResponse of the bytes, which no renderer touches;
the renderer is there so content negotiation accepts the file's media type and so an error
body (a dict) still goes out as JSON. Subclass per media type."""

from rest_framework import renderers


class FileRenderer(renderers.BaseRenderer):
    media_type = "application/octet-stream"
    format = "bin"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else renderers.JSONRenderer().render(data)


class PDFRenderer(FileRenderer):
    media_type = "application/pdf"
    format = "pdf"


class ZIPRenderer(FileRenderer):
    media_type = "application/zip"
    format = "zip"


class XMLRenderer(FileRenderer):
    media_type = "application/xml"
    format = "xml"
    charset = "utf-8"


class JPEGRenderer(FileRenderer):
    media_type = "image/jpeg"
    format = "jpg"


class PNGRenderer(FileRenderer):
    media_type = "image/png"
    format = "png"
