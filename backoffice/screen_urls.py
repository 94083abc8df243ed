"""Company settings screens (会社設定), included at /settings/ by backoffice/urls.py."""

from django.urls import path

from . import views

app_name = "company"

urlpatterns = [
    path("", views.SettingsHomeView.as_view(), name="settings"),
    path("company/", views.CompanyProfileEditView.as_view(), name="profile"),
    path("approval/", views.ApprovalLimitsView.as_view(), name="approval"),
    path("bank-accounts/new/", views.BankAccountView.as_view(), name="bank_account_new"),
    path("bank-accounts/<int:pk>/", views.BankAccountView.as_view(), name="bank_account_edit"),
    path("bank-accounts/<int:pk>/move/", views.BankAccountMoveView.as_view(), name="bank_account_move"),
    path("bank-accounts/<int:pk>/delete/", views.BankAccountDeleteView.as_view(), name="bank_account_delete"),
    path("seal/", views.SealView.as_view(), name="seal"),
    path("seal/remove/", views.SealRemoveView.as_view(), name="seal_remove"),
    path("seal/image/", views.SealImageView.as_view(), name="seal_image"),
]
