"""Demo data for `make demo`: a complete company, masters, and one user per role.

Safe to re-run: every row is looked up by its natural key first, so a second run
changes nothing and creates nothing twice. Writes go through the services, so the
audit log shows the demo setup like any other work.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from backoffice.roles import Role
from backoffice.selectors import company_profile
from backoffice.services import company_profile_update
from documents.exceptions import DocumentFontMissing
from documents.fonts import require_embedded_font
from inventory import services as inventory_services
from inventory.models import Product, Supplier, Warehouse
from orders import services as order_services
from orders.models import Customer

# Documented in the README. Demo only: change them on any shared machine.
DEMO_USERS = [
    # username, password, role (None = superuser), last name, first name
    ("admin", "admin-demo-2026", None, "管理", "者"),
    ("sales_admin", "sales-demo-2026", Role.SALES_ADMIN, "事務", "花子"),
    ("rep1", "rep1-demo-2026", Role.SALES_REP, "営業", "一郎"),
    ("rep2", "rep2-demo-2026", Role.SALES_REP, "営業", "二郎"),
    ("manager", "manager-demo-2026", Role.MANAGER, "部長", "三郎"),
]

COMPANY = {
    "name": "株式会社サンプル商事",
    "postal_code": "103-0027",
    "address": "東京都中央区日本橋1-2-3 サンプルビル5階",
    "phone": "03-1234-5678",
    "fax": "03-1234-5679",
    "email": "sales@sample-shoji.example.jp",
    "registration_number": "T7000012050002",
    "bank_accounts": [
        {
            "bank_name": "みずほ銀行",
            "branch_name": "日本橋支店",
            "account_type": "ordinary",
            "account_number": "1234567",
            "account_holder_kana": "カ)サンプルシヨウジ",
        },
        {
            "bank_name": "三井住友銀行",
            "branch_name": "東京営業部",
            "account_type": "checking",
            "account_number": "7654321",
            "account_holder_kana": "カ)サンプルシヨウジ",
        },
    ],
}

WAREHOUSES = [("TOKYO", "東京倉庫", True), ("OSAKA", "大阪倉庫", False)]

SUPPLIERS = [
    ("S001", "東都工業株式会社", "トウトコウギヨウ", "T4011001098993", 5),
    ("S002", "関西食品株式会社", "カンサイシヨクヒン", "", 3),
    ("S003", "北陸事務機株式会社", "ホクリクジムキ", "", 10),
]

# sku, name, spec, category, unit, list price, cost, tax category, track stock, supplier, reorder point, qty
PRODUCTS = [
    ("A-100", "ステンレスボルト M8", "M8×30 SUS304", "部品", "箱", "1980", "1200", "standard", True, "S001", 20, 100),
    ("A-101", "ステンレスナット M8", "M8 SUS304", "部品", "箱", "980", "560", "standard", True, "S001", 20, 100),
    ("A-102", "六角ボルト M10", "M10×40 SS400", "部品", "箱", "1480", "850", "standard", True, "S001", 10, 50),
    ("A-103", "平ワッシャー M8", "M8 SUS304 100個入", "部品", "箱", "640", "320", "standard", True, "S001", 10, 50),
    (
        "A-104",
        "スプリングワッシャー M8",
        "M8 SUS304 100個入",
        "部品",
        "箱",
        "720",
        "380",
        "standard",
        True,
        "S001",
        10,
        50,
    ),
    ("B-200", "産業用モーター 0.4kW", "三相200V", "機械", "台", "48000", "31000", "standard", True, "S001", 2, 5),
    ("B-201", "減速機 1/30", "ギア比1:30", "機械", "台", "36500", "22000", "standard", True, "S001", 2, 5),
    ("B-202", "制御盤ユニット", "PLC内蔵", "機械", "台", "128000", "85000", "standard", True, "S001", 1, 2),
    ("B-203", "インバーター 0.75kW", "単相200V", "機械", "台", "42800", "27500", "standard", True, "S001", 2, 4),
    ("B-204", "安全カバー", "アクリル 600×400", "機械", "枚", "8600", "4800", "standard", True, "S001", 5, 10),
    ("C-300", "コピー用紙 A4", "500枚×5冊", "事務用品", "箱", "2380", "1650", "standard", True, "S003", 30, 100),
    ("C-301", "ボールペン 黒", "0.7mm 10本入", "事務用品", "箱", "880", "480", "standard", True, "S003", 20, 50),
    ("C-302", "クリアファイル A4", "100枚入", "事務用品", "箱", "1580", "900", "standard", True, "S003", 10, 30),
    ("C-303", "トナーカートリッジ", "BK 大容量", "事務用品", "個", "12800", "8900", "standard", True, "S003", 5, 10),
    ("C-304", "ファイルボックス", "A4 5個入", "事務用品", "箱", "1980", "1100", "standard", True, "S003", 10, 20),
    ("C-305", "ホワイトボードマーカー", "黒 10本入", "事務用品", "箱", "1280", "700", "standard", True, "S003", 10, 20),
    ("F-400", "ミネラルウォーター 500ml", "24本入", "食品", "ケース", "1680", "1050", "reduced", True, "S002", 30, 100),
    ("F-401", "緑茶 500ml", "24本入", "食品", "ケース", "2280", "1450", "reduced", True, "S002", 30, 100),
    ("F-402", "缶コーヒー 185g", "30本入", "食品", "ケース", "2980", "1900", "reduced", True, "S002", 20, 60),
    ("F-403", "非常用保存食セット", "5年保存 3食分", "食品", "セット", "3200", "2000", "reduced", True, "S002", 10, 30),
    ("F-404", "個包装クッキー", "50個入", "食品", "箱", "1850", "1100", "reduced", True, "S002", 10, 30),
    ("F-405", "ドリップコーヒー", "100袋入", "食品", "箱", "3480", "2300", "reduced", True, "S002", 10, 20),
    ("G-500", "作業手袋", "L 10双入", "消耗品", "袋", "1100", "600", "standard", True, "S001", 20, 50),
    ("G-501", "養生テープ", "50mm×25m 30巻", "消耗品", "箱", "5400", "3500", "standard", True, "S001", 5, 20),
    ("G-502", "結束バンド", "200mm 1000本", "消耗品", "袋", "1650", "900", "standard", True, "S001", 10, 30),
    ("G-503", "ウエス", "10kg", "消耗品", "袋", "3900", "2400", "standard", True, "S001", 5, 10),
    ("S-900", "送料", "", "サービス", "式", "1500", "1200", "standard", False, None, 0, 0),
    ("S-901", "設置作業費", "1名×1日", "サービス", "式", "35000", "20000", "standard", False, None, 0, 0),
    ("S-902", "保守点検費", "年1回", "サービス", "式", "50000", "25000", "standard", False, None, 0, 0),
    ("S-903", "技術相談料", "1時間", "サービス", "時間", "8000", "0", "standard", False, None, 0, 0),
]

# code, name, kana, honorific, rep, closing day, offset, payment day, tax mode, invoice mode, credit limit, rate
CUSTOMERS = [
    (
        "C001",
        "株式会社山田製作所",
        "ヤマダセイサクシヨ",
        "御中",
        "rep1",
        20,
        1,
        31,
        "exclusive",
        "consolidated",
        "5000000",
        "0.85",
    ),
    (
        "C002",
        "株式会社青葉商店",
        "アオバシヨウテン",
        "御中",
        "rep1",
        31,
        1,
        31,
        "exclusive",
        "consolidated",
        "2000000",
        "1",
    ),
    (
        "C003",
        "有限会社佐藤工務店",
        "サトウコウムテン",
        "御中",
        "rep1",
        31,
        2,
        10,
        "exclusive",
        "consolidated",
        "1000000",
        "0.9",
    ),
    (
        "C004",
        "株式会社東京フーズ",
        "トウキヨウフーズ",
        "御中",
        "rep2",
        25,
        1,
        25,
        "exclusive",
        "consolidated",
        "3000000",
        "0.8",
    ),
    (
        "C005",
        "合同会社みどり農園",
        "ミドリノウエン",
        "御中",
        "rep2",
        31,
        1,
        31,
        "inclusive",
        "per_shipment",
        "500000",
        "1",
    ),
    (
        "C006",
        "株式会社北斗電機",
        "ホクトデンキ",
        "御中",
        "rep2",
        15,
        1,
        15,
        "exclusive",
        "consolidated",
        "8000000",
        "0.78",
    ),
    ("C007", "鈴木一郎", "スズキイチロウ", "様", "rep1", 31, 1, 31, "inclusive", "per_shipment", None, "1"),
    (
        "C008",
        "株式会社さくらオフィス",
        "サクラオフイス",
        "御中",
        "rep2",
        10,
        1,
        10,
        "exclusive",
        "per_shipment",
        "800000",
        "0.95",
    ),
    (
        "C009",
        "株式会社中央建設",
        "チユウオウケンセツ",
        "御中",
        "rep1",
        31,
        1,
        31,
        "exclusive",
        "consolidated",
        "10000000",
        "0.88",
    ),
    (
        "C010",
        "株式会社海山物産",
        "ウミヤマブツサン",
        "御中",
        "rep2",
        20,
        2,
        31,
        "exclusive",
        "consolidated",
        "4000000",
        "0.92",
    ),
]


class Command(BaseCommand):
    help = "Load demo data (company, warehouses, products, customers, suppliers, one user per role). Safe to re-run."

    def handle(self, *args, **options):
        # The demo issues a purchase order, a quote and a delivery note: never without the
        # font their PDFs embed, or they would be archived unreadable for good.
        try:
            require_embedded_font()
        except DocumentFontMissing as error:
            raise CommandError(
                f"{error.message}\nThen run load_demo again (`make demo` installs it when run as root)."
            ) from error
        self._load()

    @transaction.atomic
    def _load(self):
        users = self._users()
        admin = users["admin"]
        self._company(admin)
        self._warehouses(admin)
        suppliers = self._suppliers(admin)
        self._products(admin, suppliers)
        self._customers(admin, users)
        self._stock_and_purchasing(admin)
        self._sales(users)
        self._targets(users)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Users and passwords:"))
        for username, password, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {password:<20} {role.value if role else 'superuser'}")

    def _users(self):
        User = get_user_model()
        users = {}
        for username, password, role, last_name, first_name in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, last_name=last_name, first_name=first_name, is_staff=True)
                user.is_superuser = role is None
                user.email = f"{username}@sample-shoji.example.jp"
                user.set_password(password)
                user.save()
            if role is not None:
                user.groups.add(Group.objects.get(name=role.value))
            users[username] = user
        return users

    def _company(self, admin):
        profile = company_profile()
        if not profile.is_complete:
            company_profile_update(user=admin, data=dict(COMPANY))

    def _warehouses(self, admin):
        for code, name, is_default in WAREHOUSES:
            if not Warehouse.objects.filter(code=code).exists():
                inventory_services.warehouse_create(
                    user=admin, data={"code": code, "name": name, "is_default": is_default}
                )

    def _suppliers(self, admin):
        suppliers = {}
        for code, name, kana, registration_number, lead_time in SUPPLIERS:
            supplier = Supplier.objects.filter(code=code).first() or inventory_services.supplier_create(
                user=admin,
                data={
                    "code": code,
                    "name": name,
                    "name_kana": kana,
                    "registration_number": registration_number,
                    "lead_time_days": lead_time,
                    "email": f"order@{code.lower()}.example.jp",
                },
            )
            suppliers[code] = supplier
        return suppliers

    def _products(self, admin, suppliers):
        for sku, name, spec, category, unit, price, cost, tax, track, supplier, point, qty in PRODUCTS:
            if Product.objects.filter(sku=sku).exists():
                continue
            inventory_services.product_create(
                user=admin,
                data={
                    "sku": sku,
                    "name": name,
                    "spec": spec,
                    "category": category,
                    "unit": unit,
                    "list_price": Decimal(price),
                    "cost": Decimal(cost),
                    "tax_category": tax,
                    "track_stock": track,
                    "supplier": suppliers.get(supplier),
                    "reorder_point": point,
                    "reorder_quantity": qty,
                },
            )

    def _stock_and_purchasing(self, admin):
        """Opening stock (a stock take per product), one purchase order on its way, and
        a product that runs short so the reorder suggestions have something to say."""
        from django.utils import timezone

        from backoffice.businessdays import add_business_days
        from inventory.models import PurchaseOrder, StockMove

        if StockMove.objects.exists():
            return
        tokyo, osaka = Warehouse.objects.get(code="TOKYO"), Warehouse.objects.get(code="OSAKA")
        for index, product in enumerate(Product.objects.filter(track_stock=True).order_by("sku")):
            counted = 0 if product.sku == "A-102" else (30 if product.sku == "A-100" else 40 + (index * 17) % 160)
            if counted:
                inventory_services.stock_take(
                    product=product, warehouse=tokyo, counted_quantity=counted, reason="期首在庫", user=admin
                )
            if index % 3 == 0:
                inventory_services.stock_take(
                    product=product, warehouse=osaka, counted_quantity=10 + index, reason="期首在庫", user=admin
                )
        if not PurchaseOrder.objects.exists():
            today = timezone.localdate()
            bolt, hex_bolt = Product.objects.get(sku="A-100"), Product.objects.get(sku="A-102")
            purchase_order = inventory_services.purchase_order_create(
                supplier=bolt.supplier,
                warehouse=tokyo,
                expected_date=add_business_days(today, 8),
                lines=[
                    {"product": bolt, "quantity": 40, "unit_cost": bolt.cost},
                    {"product": hex_bolt, "quantity": 30, "unit_cost": hex_bolt.cost},
                ],
                user=admin,
            )
            inventory_services.purchase_order_issue(purchase_order=purchase_order, user=admin)

    def _sales(self, users):
        """A day's work in flight: an inquiry handed to a rep, a quote waiting for a
        manager, an issued quote, and confirmed orders, one of them partly backordered
        and one shipped with its delivery note."""
        from orders.models import Inquiry, Order
        from orders.services import LineInput

        admin, rep = users["sales_admin"], users["rep1"]
        if Order.objects.exists() or Inquiry.objects.exists():
            return
        customers = {c.code: c for c in Customer.objects.all()}
        products = {p.sku: p for p in Product.objects.all()}
        inquiry = order_services.inquiry_create(
            user=admin,
            data={
                "customer": customers["C001"],
                "contact_name": "山田太郎",
                "channel": "phone",
                "category": "quote_request",
                "subject": "ステンレスボルト M8 を100箱、見積がほしい",
                "body": "来月の生産分。納期は12月中旬希望。",
                "assigned_to": rep,
            },
        )
        order_services.quote_create_from_inquiry(
            inquiry=inquiry,
            user=rep,
            lines=[
                LineInput(product=products["A-100"], quantity=100),
                LineInput(product=products["S-900"], quantity=1),
            ],
        )
        big = order_services.quote_create(
            user=admin,
            data={"customer": customers["C009"], "subject": "工場設備一式", "payment_terms": "月末締め翌月末払い"},
            lines=[
                LineInput(product=products["B-202"], quantity=5, discount_rate=Decimal("15")),
                LineInput(product=products["S-901"], quantity=2),
            ],
        )
        order_services.quote_submit(quote=big, user=admin)  # beyond the discount limit: a manager approves
        small = order_services.quote_create(
            user=admin,
            data={"customer": customers["C002"], "subject": "事務用品 定期購入", "delivery_place": "貴社指定場所"},
            lines=[
                LineInput(product=products["C-300"], quantity=20),
                LineInput(product=products["C-301"], quantity=10),
            ],
        )
        order_services.quote_submit(quote=small, user=admin)
        order_services.quote_issue(quote=small, user=admin)

        backordered = order_services.order_create(
            user=admin,
            data={"customer": customers["C001"], "customer_po_number": "YM-2026-118"},
            lines=[
                LineInput(product=products["A-100"], quantity=50),
                LineInput(product=products["A-101"], quantity=20),
            ],
        )
        order_services.order_confirm(order=backordered, user=admin)
        shipped = order_services.order_create(
            user=admin,
            data={"customer": customers["C004"], "customer_po_number": "TF-5521"},
            lines=[
                LineInput(product=products["F-400"], quantity=10),
                LineInput(product=products["F-401"], quantity=5),
                LineInput(product=products["C-300"], quantity=2),
                LineInput(product=products["S-900"], quantity=1),
            ],
        )
        order_services.order_confirm(order=shipped, user=admin)
        shipment = order_services.shipment_create(order=shipped, user=admin)
        order_services.shipment_ship(shipment=shipment, user=admin)
        draft = order_services.order_create(
            user=admin,
            data={"customer": customers["C006"], "customer_po_number": "HD-0042"},
            lines=[LineInput(product=products["B-200"], quantity=2), LineInput(product=products["B-201"], quantity=2)],
        )
        order_services.order_update(order=draft, user=admin, data={"note": "FAXにて受注、確認中"})

    def _targets(self, users):
        """Monthly sales targets for both reps, this fiscal year, set by the manager."""
        import datetime as dt

        from django.utils import timezone

        from reports.models import SalesTarget
        from reports.services import sales_target_set

        if SalesTarget.objects.exists():
            return
        today = timezone.localdate()
        for months_back in range(6):
            index = today.year * 12 + today.month - 1 - months_back
            month = dt.date(index // 12, index % 12 + 1, 1)
            for rep, amount in (("rep1", 1_500_000), ("rep2", 1_200_000)):
                sales_target_set(user=users["manager"], rep=users[rep], month=month, amount=Decimal(amount))

    def _customers(self, admin, users):
        for row in CUSTOMERS:
            code, name, kana, honorific, rep, closing, offset, pay_day, tax_mode, invoice_mode, limit, rate = row
            if Customer.objects.filter(code=code).exists():
                continue
            order_services.customer_create(
                user=admin,
                data={
                    "code": code,
                    "name": name,
                    "name_kana": kana,
                    "honorific": honorific,
                    "sales_rep": users[rep],
                    "postal_code": "100-0001",
                    "address": "東京都千代田区千代田1-1",
                    "phone": "03-0000-0000",
                    "closing_day": closing,
                    "payment_month_offset": offset,
                    "payment_day": pay_day,
                    "tax_mode": tax_mode,
                    "invoice_mode": invoice_mode,
                    "credit_limit": Decimal(limit) if limit else None,
                    "price_rate": Decimal(rate),
                    "contacts": [
                        {
                            "name": "購買 太郎",
                            "department": "購買部",
                            "email": f"buyer@{code.lower()}.example.jp",
                            "receives_documents": True,
                        }
                    ],
                    "ship_to_addresses": [
                        {
                            "name": f"{name} 本社",
                            "postal_code": "100-0001",
                            "address": "東京都千代田区千代田1-1",
                            "is_default": True,
                        }
                    ],
                },
            )
