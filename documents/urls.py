from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("documents/<int:pk>/pdf", views.document_pdf, name="document_pdf"),
]
