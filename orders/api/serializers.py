from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from rest_framework import serializers

from backoffice.api.model_serializer import ModelSerializer
from backoffice.roles import Role
from orders.models import ContactPerson, Customer, CustomerPrice, ShipToAddress


class ShipToAddressSerializer(ModelSerializer):
    class Meta:
        model = ShipToAddress
        fields = ["name", "postal_code", "address", "phone", "is_default"]


class ContactPersonSerializer(ModelSerializer):
    class Meta:
        model = ContactPerson
        fields = ["name", "name_kana", "department", "email", "phone", "receives_documents"]


class CustomerSerializer(ModelSerializer):
    sales_rep = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(groups__name=Role.SALES_REP, is_active=True),
        allow_null=True,
        required=False,
    )
    ship_to_addresses = ShipToAddressSerializer(many=True, required=False)
    contacts = ContactPersonSerializer(many=True, required=False)

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "name",
            "name_kana",
            "honorific",
            "postal_code",
            "address",
            "phone",
            "fax",
            "email",
            "sales_rep",
            *Customer.TERMS_FIELDS,
            "registration_number",
            "peppol_id",
            "notes",
            "is_active",
            "ship_to_addresses",
            "contacts",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {"credit_limit": {"max_value": 99_999_999_999}}

    def validate_ship_to_addresses(self, value):
        if len(value) > 50:
            raise serializers.ValidationError(_("At most 50 ship-to addresses."))
        return value

    def validate_contacts(self, value):
        if len(value) > 50:
            raise serializers.ValidationError(_("At most 50 contacts."))
        return value


class CustomerPriceSerializer(ModelSerializer):
    class Meta:
        model = CustomerPrice
        fields = ["id", "customer", "product", "unit_price"]
        validators = []  # posting an existing customer/product pair changes its price
        extra_kwargs = {"unit_price": {"max_value": 999_999_999}}
