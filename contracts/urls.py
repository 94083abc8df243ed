from .views import contracts, templates

app_name = "contracts"

urlpatterns = [
    *templates.urlpatterns,
    *contracts.urlpatterns,
]
