"""Install the default synonym groups, so a fresh site already searches well.

Each line is one group: the words users say for the same action, feature,
error or scam, in Chinese and English. Staff edit them in the admin; the
reverse migration only deletes groups still exactly as installed.
"""

from django.db import migrations

DEFAULT_GROUPS = [
    "登录, 登入, 登陆, 登不上, sign in, log in, login, signin",
    "退出登录, 登出, 注销登录, sign out, log out, logout",
    "注册, 开户, 创建账户, sign up, register, registration, create account",
    "账户, 账号, 帐户, account",
    "密码, 登录密码, password, passcode",
    "忘记密码, 找回密码, 重置密码, forgot password, reset password",
    "实名认证, 身份认证, 身份验证, KYC, identity verification, verify identity",
    "双重验证, 二次验证, 两步验证, 谷歌验证, 2FA, two-factor, authenticator, MFA",
    "验证码, 短信验证码, 动态码, verification code, SMS code, OTP",
    "助记词, 恢复短语, 种子词, 私钥, recovery phrase, seed phrase, mnemonic, private key",
    "备份, 备份钱包, backup, back up",
    "恢复钱包, 导入钱包, 找回钱包, restore wallet, import wallet, recover wallet",
    "转账, 转币, 转出, 发送, 汇款, transfer, send, payment",
    "收款, 接收, 转入, receive, incoming",
    "充值, 充币, 存入, 入金, deposit, top up",
    "提现, 提币, 取出, 出金, withdraw, withdrawal, cash out",
    "到账, 入账, 收到, arrive, arrived, credited, received",
    "未到账, 没到账, 没收到, 没有到账, 不到账, not received, not arrived, missing",
    "闪兑, 兑换, 换币, swap, exchange, convert",
    "手续费, 矿工费, 网络费, 燃料费, gas, gas fee, network fee, fee, fees",
    "地址, 钱包地址, 收款地址, address, wallet address",
    "转错地址, 地址错误, 填错地址, wrong address",
    "选错网络, 网络错误, 链错了, 转错链, wrong network, wrong chain",
    "网络, 主网, 链, network, chain, blockchain",
    "交易哈希, 哈希, 交易ID, TxID, TxHash, transaction hash, hash",
    "区块浏览器, 浏览器查询, block explorer, explorer",
    "卡住, 待处理, 处理中, 一直确认中, 未确认, pending, stuck, unconfirmed",
    "加速, 取消交易, speed up, cancel transaction, accelerate",
    "余额, 资产, 币不见了, 余额不显示, balance, assets, funds",
    "代币, 币种, 币, token, coin, crypto",
    "USDT, 泰达币, tether",
    "TRC20, 波场, TRON, TRX",
    "ERC20, 以太坊, Ethereum, ETH",
    "备注, 标签, memo, tag, destination tag",
    "最小金额, 最低限额, 限额, minimum, limit, limits",
    "客服, 人工客服, 在线客服, 联系客服, 支持, customer service, support, contact support, agent",
    "假客服, 冒充客服, 骗子客服, fake support, fake customer service, impersonation",
    "诈骗, 骗局, 被骗, 骗子, scam, fraud, scammer",
    "钓鱼, 钓鱼网站, 假网站, 仿冒网站, phishing, fake website",
    "被盗, 被黑, 盗号, 资产被盗, stolen, hacked, compromised",
    "冻结, 锁定, 封号, 账户锁定, locked, frozen, suspended",
    "闪退, 崩溃, 打不开, 卡死, crash, crashes, freezes, won't open",
    "更新, 升级, 新版本, update, upgrade, new version",
    "下载, 安装, 官方下载, download, install",
    "官方, 正版, 官方应用, official, genuine, official app",
    "网络错误, 连接失败, 网络异常, 连不上, network error, connection failed, offline",
    "清除缓存, 清缓存, 缓存, clear cache, cache",
    "手机号, 手机, 电话, 邮箱, phone number, phone, email",
    "换手机, 新设备, 新手机, 更换设备, new device, new phone, change device",
    "反馈, 建议, 意见, feedback, suggestion",
    "功能建议, 需求, feature request, feature",
    "报告问题, 报错, bug, report bug, issue",
    "评价, 评分, 满意度, rate, rating",
]


def install(apps, schema_editor):
    SynonymGroup = apps.get_model("articles", "SynonymGroup")
    SynonymGroup.objects.bulk_create(
        SynonymGroup(terms=terms, note="default") for terms in DEFAULT_GROUPS
    )


def uninstall(apps, schema_editor):
    SynonymGroup = apps.get_model("articles", "SynonymGroup")
    SynonymGroup.objects.filter(terms__in=DEFAULT_GROUPS, note="default").delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_search")]

    operations = [migrations.RunPython(install, uninstall)]
