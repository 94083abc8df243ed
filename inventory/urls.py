from .views import urlpatterns as screens

app_name = "inventory"

urlpatterns = [*screens]
