"""What the demo company looks like: its profile, users, warehouses, suppliers, products
and customers. Plain data; `demo.masters` loads it through the services."""

from backoffice.roles import Role

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

# code, name, default, address (the 発注書 prints it as the place of delivery)
WAREHOUSES = [
    ("TOKYO", "東京倉庫", True, "〒136-0082 東京都江東区新木場2-3-4"),
    ("OSAKA", "大阪倉庫", False, "〒559-0031 大阪府大阪市住之江区南港東8-1-10"),
]

# code, name, kana, registration number, lead time (days)
SUPPLIERS = [
    ("S001", "東都工業株式会社", "トウトコウギヨウ", "T4011001098993", 5),
    ("S002", "関西食品株式会社", "カンサイシヨクヒン", "", 3),
    ("S003", "北陸事務機株式会社", "ホクリクジムキ", "", 10),
]
# code: postal code, address, phone (the 発注書 prints them under the supplier's name)
SUPPLIER_ADDRESSES = {
    "S001": ("144-0052", "東京都大田区蒲田5-12-8", "03-3731-0001"),
    "S002": ("530-0001", "大阪府大阪市北区梅田3-4-5", "06-6341-0002"),
    "S003": ("920-0853", "石川県金沢市本町2-15-1", "076-231-0003"),
}

# Products by category, created in this order. Each category names its tax category, its
# supplier and whether its stock is tracked (services are not); each row:
# sku, name, spec, unit, list price, cost, reorder point, reorder quantity.
PRODUCTS = {
    ("部品", "standard", "S001", True): [
        ("A-100", "ステンレスボルト M8", "M8×30 SUS304", "箱", "1980", "1200", 20, 100),
        ("A-101", "ステンレスナット M8", "M8 SUS304", "箱", "980", "560", 20, 100),
        ("A-102", "六角ボルト M10", "M10×40 SS400", "箱", "1480", "850", 10, 50),
        ("A-103", "平ワッシャー M8", "M8 SUS304 100個入", "箱", "640", "320", 10, 50),
        ("A-104", "スプリングワッシャー M8", "M8 SUS304 100個入", "箱", "720", "380", 10, 50),
    ],
    ("機械", "standard", "S001", True): [
        ("B-200", "産業用モーター 0.4kW", "三相200V", "台", "48000", "31000", 2, 5),
        ("B-201", "減速機 1/30", "ギア比1:30", "台", "36500", "22000", 2, 5),
        ("B-202", "制御盤ユニット", "PLC内蔵", "台", "128000", "85000", 1, 2),
        ("B-203", "インバーター 0.75kW", "単相200V", "台", "42800", "27500", 2, 4),
        ("B-204", "安全カバー", "アクリル 600×400", "枚", "8600", "4800", 5, 10),
    ],
    ("事務用品", "standard", "S003", True): [
        ("C-300", "コピー用紙 A4", "500枚×5冊", "箱", "2380", "1650", 30, 100),
        ("C-301", "ボールペン 黒", "0.7mm 10本入", "箱", "880", "480", 20, 50),
        ("C-302", "クリアファイル A4", "100枚入", "箱", "1580", "900", 10, 30),
        ("C-303", "トナーカートリッジ", "BK 大容量", "個", "12800", "8900", 5, 10),
        ("C-304", "ファイルボックス", "A4 5個入", "箱", "1980", "1100", 10, 20),
        ("C-305", "ホワイトボードマーカー", "黒 10本入", "箱", "1280", "700", 10, 20),
    ],
    ("食品", "reduced", "S002", True): [
        ("F-400", "ミネラルウォーター 500ml", "24本入", "ケース", "1680", "1050", 30, 100),
        ("F-401", "緑茶 500ml", "24本入", "ケース", "2280", "1450", 30, 100),
        ("F-402", "缶コーヒー 185g", "30本入", "ケース", "2980", "1900", 20, 60),
        ("F-403", "非常用保存食セット", "5年保存 3食分", "セット", "3200", "2000", 10, 30),
        ("F-404", "個包装クッキー", "50個入", "箱", "1850", "1100", 10, 30),
        ("F-405", "ドリップコーヒー", "100袋入", "箱", "3480", "2300", 10, 20),
    ],
    ("消耗品", "standard", "S001", True): [
        ("G-500", "作業手袋", "L 10双入", "袋", "1100", "600", 20, 50),
        ("G-501", "養生テープ", "50mm×25m 30巻", "箱", "5400", "3500", 5, 20),
        ("G-502", "結束バンド", "200mm 1000本", "袋", "1650", "900", 10, 30),
        ("G-503", "ウエス", "10kg", "袋", "3900", "2400", 5, 10),
    ],
    ("サービス", "standard", None, False): [
        ("S-900", "送料", "", "式", "1500", "1200", 0, 0),
        ("S-901", "設置作業費", "1名×1日", "式", "35000", "20000", 0, 0),
        ("S-902", "保守点検費", "年1回", "式", "50000", "25000", 0, 0),
        ("S-903", "技術相談料", "1時間", "時間", "8000", "0", 0, 0),
    ],
}

# code, name, kana, honorific, sales rep (a username above)
CUSTOMERS = [
    ("C001", "株式会社山田製作所", "ヤマダセイサクシヨ", "御中", "rep1"),
    ("C002", "株式会社青葉商店", "アオバシヨウテン", "御中", "rep1"),
    ("C003", "有限会社佐藤工務店", "サトウコウムテン", "御中", "rep1"),
    ("C004", "株式会社東京フーズ", "トウキヨウフーズ", "御中", "rep2"),
    ("C005", "合同会社みどり農園", "ミドリノウエン", "御中", "rep2"),
    ("C006", "株式会社北斗電機", "ホクトデンキ", "御中", "rep2"),
    ("C007", "鈴木一郎", "スズキイチロウ", "様", "rep1"),
    ("C008", "株式会社さくらオフィス", "サクラオフイス", "御中", "rep2"),
    ("C009", "株式会社中央建設", "チユウオウケンセツ", "御中", "rep1"),
    ("C010", "株式会社海山物産", "ウミヤマブツサン", "御中", "rep2"),
]

# Each customer's terms: closing day, payment month offset, payment day, tax mode, invoice
# mode, credit limit (None = no limit), price rate (掛率).
TERMS = {
    "C001": (20, 1, 31, "exclusive", "consolidated", "5000000", "0.85"),
    "C002": (31, 1, 31, "exclusive", "consolidated", "2000000", "1"),
    "C003": (31, 2, 10, "exclusive", "consolidated", "1000000", "0.9"),
    "C004": (25, 1, 25, "exclusive", "consolidated", "3000000", "0.8"),
    "C005": (31, 1, 31, "inclusive", "per_shipment", "500000", "1"),
    "C006": (15, 1, 15, "exclusive", "consolidated", "8000000", "0.78"),
    "C007": (31, 1, 31, "inclusive", "per_shipment", None, "1"),
    "C008": (10, 1, 10, "exclusive", "per_shipment", "800000", "0.95"),
    "C009": (31, 1, 31, "exclusive", "consolidated", "10000000", "0.88"),
    "C010": (20, 2, 31, "exclusive", "consolidated", "4000000", "0.92"),
}
