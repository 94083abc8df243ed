"""The standard wording the product ships, one template per kind (version 1, standard). An
admin edits them into new versions; contracts keep the version they were drafted from."""

from django.db import migrations

MASTER = """{company_name}（以下「甲」という。）と{customer_name}（以下「乙」という。）は、甲乙間の継続的な商品の売買取引に関し、次のとおり基本契約を締結する。

第1条（目的）
本契約は、甲が乙に対して継続的に売り渡す商品の取引に関する基本的な事項を定めることを目的とする。

第2条（個別契約）
個々の取引の品名、数量、単価、納期、納入場所その他の条件は、本契約に定めるもののほか、乙の注文に対し甲が承諾したときに成立する個別契約で定める。個別契約の内容が本契約と異なるときは、個別契約が優先する。

第3条（代金の支払）
乙は、商品の代金を{payment_terms}で、甲の指定する銀行口座に振り込んで支払う。振込手数料は乙の負担とする。

第4条（検収）
乙は、商品の受領後7日以内に検査を行い、不合格品があるときは直ちに甲に通知する。期間内に通知がないときは、検査に合格したものとみなす。

第5条（所有権及び危険負担）
商品の所有権及び危険は、商品が乙に引き渡された時に甲から乙に移転する。

第6条（秘密保持）
甲及び乙は、本契約に関して知り得た相手方の秘密を、相手方の書面による承諾なく第三者に開示又は漏洩してはならない。

第7条（有効期間）
本契約の有効期間は、{starts_on}から{ends_on}までとする。{renewal}

第8条（協議）
本契約に定めのない事項又は本契約の解釈に疑義が生じた事項は、甲乙誠実に協議して定める。

本契約の成立を証するため、本書2通を作成し、甲乙記名押印のうえ各1通を保有する。"""

INDIVIDUAL = """{company_name}（以下「甲」という。）と{customer_name}（以下「乙」という。）は、次の取引について個別契約を締結する。

第1条（取引の内容）
甲は乙に対し、{deal_number}記載の商品を売り渡し、乙はこれを買い受ける。

第2条（契約金額）
契約金額は{amount}（消費税{tax}を除く。税込金額{total}）とする。

第3条（納期及び支払）
甲は、{starts_on}から{ends_on}までの間に商品を納入する。乙は、代金を{payment_terms}で支払う。

第4条（基本契約との関係）
本契約に定めのない事項は、甲乙間の取引基本契約書の定めによる。

本契約の成立を証するため、本書2通を作成し、甲乙記名押印のうえ各1通を保有する。"""

AMENDMENT = """{company_name}（以下「甲」という。）と{customer_name}（以下「乙」という。）は、甲乙間で{amends_date}付で締結した{amends_title}（契約番号 {amends_number}、以下「原契約」という。）の一部を、次のとおり変更する。

第1条（変更内容）
原契約の条項を、次のとおり変更する。
（変更内容をここに記載する）

第2条（効力発生日）
本覚書は、{starts_on}から効力を生じる。

第3条（その他）
本覚書に定めのない事項は、原契約の定めによる。

本覚書の成立を証するため、本書2通を作成し、甲乙記名押印のうえ各1通を保有する。"""

NDA = """{company_name}（以下「甲」という。）と{customer_name}（以下「乙」という。）は、甲乙間の取引の検討及び実施（以下「本目的」という。）に際し相互に開示する秘密情報の取扱いについて、次のとおり契約を締結する。

第1条（秘密情報）
秘密情報とは、本目的のために相手方から開示された技術上又は営業上の情報であって、開示の際に秘密である旨が明示されたものをいう。

第2条（秘密保持義務）
甲及び乙は、秘密情報を厳に秘密として保持し、相手方の書面による事前の承諾なく第三者に開示又は漏洩してはならず、本目的以外に使用してはならない。

第3条（返還）
甲及び乙は、相手方から求められたときは、秘密情報を含む資料を速やかに返還又は廃棄する。

第4条（有効期間）
本契約の有効期間は、{starts_on}から{ends_on}までとする。{renewal}

本契約の成立を証するため、本書2通を作成し、甲乙記名押印のうえ各1通を保有する。"""

TEMPLATES = (
    ("master", "STD-MASTER", "取引基本契約書（標準）", MASTER, "no7"),
    ("individual", "STD-INDIVIDUAL", "個別契約書（標準）", INDIVIDUAL, "none"),
    ("amendment", "STD-AMENDMENT", "覚書（標準）", AMENDMENT, "none"),
    ("nda", "STD-NDA", "秘密保持契約書（標準）", NDA, "none"),
)


def create_templates(apps, schema_editor):
    ContractTemplate = apps.get_model("contracts", "ContractTemplate")
    for kind, code, name, body, stamp_class in TEMPLATES:
        if not ContractTemplate.objects.filter(code=code).exists():
            ContractTemplate.objects.create(
                kind=kind,
                code=code,
                name=name,
                body=body,
                version=1,
                is_current=True,
                is_standard=True,
                stamp_class=stamp_class,
            )


def remove_templates(apps, schema_editor):
    ContractTemplate = apps.get_model("contracts", "ContractTemplate")
    ContractTemplate.objects.filter(code__in=[t[1] for t in TEMPLATES], version=1, contracts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]

    operations = [migrations.RunPython(create_templates, remove_templates)]
