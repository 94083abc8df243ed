from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("documents/", views.document_search, name="document_search"),
    path("documents/export/", views.document_export, name="document_export"),
    path("settings/document-numbers/", views.number_prefixes, name="number_prefixes"),
    path("settings/document-numbers/<int:pk>/cancel/", views.number_prefix_cancel, name="number_prefix_cancel"),
    path("documents/<int:pk>/pdf", views.document_pdf, name="document_pdf"),
]
