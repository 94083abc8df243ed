from rest_framework import mixins, viewsets

from backoffice.permissions import RolePermission


class MasterViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Create, read and update a master through its service functions.

    Masters are deactivated (`is_active`), never deleted: issued documents refer to
    them. Subclasses name `create_service`, `update_service` and the keyword under
    which the update service takes its instance (`instance_arg`)."""

    permission_classes = [RolePermission]
    create_service = None
    update_service = None
    instance_arg = "instance"

    def perform_create(self, serializer):
        serializer.instance = type(self).create_service(user=self.request.user, data=dict(serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = type(self).update_service(
            user=self.request.user, data=dict(serializer.validated_data), **{self.instance_arg: serializer.instance}
        )
