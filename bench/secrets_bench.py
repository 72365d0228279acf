"""Secret detector benchmark: false refusals and time per message.

    .venv/bin/python bench/secrets_bench.py
    .venv/bin/python bench/secrets_bench.py --messages 50000 --seed 7 --show 5

Scans every demo article (content/articles/, Markdown) and N ordinary
support messages generated here (Chinese and English, with transaction
hashes written the ways users write them, addresses, amounts, app versions,
devices, dates, and the everyday words that are also BIP39 words), each as
the contact form would: ``scan_fields`` over its subject and message.
Prints the number of refusals and of "is this a key?" questions (asked),
and the mean, p95 and max time per message, on the wall clock and in CPU
time (the wall clock includes waits when other processes share the CPU).
Exits non-zero on any refusal.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import base58

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from channels import secrets  # noqa: E402

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
NETWORKS_EN = ["Ethereum", "BNB Smart Chain", "Polygon", "Arbitrum", "TRON", "Solana"]
NETWORKS_ZH = ["以太坊", "币安智能链", "Polygon", "波场", "Solana", "比特币"]
ASSETS = ["USDT", "USDC", "ETH", "BTC", "BNB", "TRX", "SOL", "MATIC", "DAI"]
DEVICES = ["iPhone 13", "iPhone 15 Pro", "Pixel 7", "Galaxy S23", "小米 13", "华为 P60"]
SYSTEMS = ["iOS 17.4", "iOS 16.7", "Android 14", "Android 13", "HarmonyOS 4"]
EXPLORERS = [
    "https://etherscan.io/tx/",
    "https://bscscan.com/tx/",
    "https://tronscan.org/#/transaction/",
    "https://polygonscan.com/tx/",
]

EN_SUBJECTS = [
    "Transfer not arrived",
    "Withdrawal stuck for {hours} hours",
    "Cannot log in after update",
    "App crashes on start",
    "Wrong network, please help",
    "Balance shows zero",
    "{asset} deposit missing",
    "Question about fees",
    "Account locked",
    "Someone claiming to be support contacted me",
    "Update problem on {device}",
    "Can you help me recover access?",
    "Swap failed but fee was taken",
]
EN_OPENINGS = [
    "Hello,",
    "Hi team,",
    "Hi there.",
    "Dear support,",
    "Good morning.",
    "",
]
EN_BODIES = [
    "I sent {amount} {asset} on {network} about {hours} hours ago and it has not "
    "arrived yet. TxID: {evm_hash}",
    "I can not access my account after the update. I tried again and again but "
    "only see an error message. App version {version} on {device}, {os}.",
    "My withdrawal of {amount} {asset} is still pending. Transaction hash: "
    "{evm_hash}. The address is {evm_address}.",
    "I transferred {amount} {asset} to {evm_address} using the wrong network. "
    "Is there any way to get it back? Here is the link: {explorer}{evm_hash}",
    "The app crashes when I open the wallet screen. I have already tried to "
    "clear the cache and install it again. {device}, {os}, version {version}.",
    "Please help, my balance shows zero since this morning but the explorer "
    "shows my tokens are still there.",
    "I sent 0.{small} BTC yesterday, the tx hash is {btc_hash} and it still has "
    "no confirmation.",
    "Someone on Telegram said they are from support and asked for my recovery "
    "phrase. I did not give it. Is this account real? The handle was @{handle}.",
    "When will the update be available for {os}? The current version "
    "{version} keeps asking me to sign in again every day.",
    "I want to change the phone number linked to my account. The old number "
    "is no longer in use and I never receive the code.",
    "My transfer {evm_hash} to the exchange has not been credited. They say the "
    "deposit address was {evm_address}.",
    "I deposited {amount} {asset} and the transaction {evm_hash} shows success "
    "on the explorer, but nothing shows in the app.",
    "I paid {amount} {asset} on TRON, hash {tron_hash}, the fee was higher than "
    "expected. Can you explain how fees work?",
    "Solana transfer stuck, signature {sol_sig}. It says confirmed on the "
    "explorer but my balance did not change.",
    "I have a question about the security settings. Which options should I "
    "turn on to keep my wallet safe? I travel a lot and use public wifi.",
    "After the last update the screen goes black and then the app closes. "
    "I have {device} with {os}. It worked fine before.",
    "Can you check what happened to my swap? The fee was taken but I did not "
    "receive the tokens. Time: {date}. Amount: {amount} {asset}.",
    "I forgot my password and the reset e-mail never arrives. I checked the "
    "spam folder too. My account e-mail is {email}.",
    "Please cancel my last request, I found the problem. It was the wrong "
    "address on my side. Thank you for your help and sorry for the trouble.",
    "The price shown in the app is different from the exchange. Is this a "
    "display issue or a real difference? I want to buy more {asset} soon.",
    "Tx hash 0x{hex64} - sent {amount} {asset} via {network}, not received.",
    "Hello, the transaction ID is {btc_hash}. I need a receipt for my records.",
    "Just wanted to say thank you, the team was very helpful last week. All "
    "good now, you can close the ticket.",
    "Where can I find my wallet address? I need to receive {asset} from a "
    "friend and I am not sure which network to choose.",
    "Fees on {network} are too high today, is there a cheaper way to move "
    "{amount} {asset} to my other wallet {evm_address}?",
    "I tried to send {asset} but the app says insufficient gas. I have {amount} "
    "{asset} but no ETH. What should I do?",
    "This is my second message. Ticket {reference} had no answer for three "
    "days. The problem is still the same: deposit missing.",
    "My phone was stolen. I still have my backup written on paper at home. "
    "How do I restore the wallet on a new phone safely?",
    "Is it true that support will never ask for my private key or phrase? A "
    "person called me on +1 {phone} and said my wallet will be frozen.",
    "Version {version} on {os}: after scanning a QR code the amount field is "
    "empty. Happens every time with {asset}.",
]
EN_CLOSINGS = [
    "Thanks.",
    "Thank you!",
    "Best regards, {name}",
    "Regards",
    "",
    "Please help.",
]

ZH_SUBJECTS = [
    "转账未到账",
    "提现卡住了",
    "更新后无法登录",
    "App 闪退",
    "转错网络了，怎么办",
    "余额显示为零",
    "{asset} 充值没到",
    "手续费问题",
    "账户被锁定",
    "有人冒充客服联系我",
    "兑换失败但扣了手续费",
]
ZH_OPENINGS = ["你好，", "您好！", "客服你好。", "", "麻烦问一下，"]
ZH_BODIES = [
    "我在{network_zh}上转了 {amount} {asset}，已经{hours}个小时了还没到账。交易哈希：{evm_hash}",
    "更新到 {version} 之后就一直登录不上，提示网络错误，设备是 {device}，系统 {os}。",
    "提现 {amount} {asset} 一直显示处理中，交易哈希是 {tron_hash}，请帮忙查一下。",
    "我把 {asset} 转到了错误的网络，地址是 {evm_address}，还能找回吗？浏览器链接：{explorer}{evm_hash}",
    "App 打开就闪退，已经重装过一次，还是不行。{device}，{os}。",
    "今天早上开始余额显示为零，但是区块浏览器上资产还在，是显示问题吗？",
    "有人在微信上说是官方客服，让我提供助记词，我没有给。这个账号 {handle} 是真的吗？",
    "请问手续费是怎么计算的？我转 {amount} {asset} 扣了很多矿工费。",
    "我的转账 0x{hex64} 已经确认了，但是交易所说没收到。",
    "兑换失败了但是扣了手续费，时间是 {date}，金额 {amount} {asset}。",
    "忘记密码了，重置邮件一直收不到，垃圾箱也看过了。邮箱是 {email}。",
    "手机丢了，助记词我抄在纸上了，请问怎么在新手机上安全地恢复钱包？",
    "交易ID：{btc_hash}，请帮我确认一下状态，谢谢。",
    "之前的工单 {reference} 三天没有回复，问题还是一样：充值未到账。",
    "扫码付款时金额栏是空的，版本 {version}，系统 {os}，每次都这样。",
    "Solana 转账卡住了，签名 {sol_sig}，浏览器显示已确认，但余额没变。",
    "请问怎样开启双重验证？我经常出差，用公共网络，想让钱包更安全一些。",
    "有人打电话说我的钱包会被冻结，让我下载一个新的 App，这是真的吗？号码是 {phone}。",
    "转账 {amount} {asset} 到 {evm_address}，哈希 {evm_hash}，一直没到，急！",
    "谢谢你们上周的帮助，问题已经解决了，可以关闭工单。",
]
ZH_CLOSINGS = ["谢谢！", "麻烦尽快处理，谢谢。", "", "急，在线等。", "辛苦了。"]
NAMES = ["Anna", "Li Lei", "王芳", "Tom", "Maria", "张伟", "", "Chen"]


def _hex(rng, size):
    return "".join(rng.choice("0123456789abcdef") for _ in range(size))


def _fill(template: str, rng: random.Random) -> str:
    values = {
        "amount": rng.choice(["25", "100", "0.5", "1,200", "3.75", "50000", "12.3456"]),
        "small": str(rng.randint(1, 999)),
        "asset": rng.choice(ASSETS),
        "network": rng.choice(NETWORKS_EN),
        "network_zh": rng.choice(NETWORKS_ZH),
        "hours": str(rng.randint(2, 72)),
        "evm_hash": "0x" + _hex(rng, 64),
        "hex64": _hex(rng, 64),
        "btc_hash": _hex(rng, 64),
        "tron_hash": _hex(rng, 64),
        "evm_address": "0x" + _hex(rng, 40),
        "sol_sig": base58.b58encode(rng.randbytes(64)).decode(),
        "explorer": rng.choice(EXPLORERS),
        "version": f"{rng.randint(1, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
        "device": rng.choice(DEVICES),
        "os": rng.choice(SYSTEMS),
        "date": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} "
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        "email": rng.choice(["anna@example.com", "li.lei@example.cn", "wf88@qq.com"]),
        "handle": rng.choice(["CobaltSupport_Help", "cobalt_wallet_cs", "kf-cobalt"]),
        "reference": "CW-"
        + "".join(rng.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(4))
        + "-7K3M",
        "phone": f"888-555-{rng.randint(1000, 9999)}",
        "name": rng.choice([n for n in NAMES if n]),
    }
    return template.format(**values)


def ordinary_messages(count: int, seed: int) -> list[list[tuple[str, str]]]:
    """Return ``count`` submissions as (field, text) pairs: half Chinese,
    half English, one to three body sentences each."""
    rng = random.Random(seed)
    submissions = []
    for number in range(count):
        chinese = number % 2 == 0
        subjects, openings, bodies, closings = (
            (ZH_SUBJECTS, ZH_OPENINGS, ZH_BODIES, ZH_CLOSINGS)
            if chinese
            else (EN_SUBJECTS, EN_OPENINGS, EN_BODIES, EN_CLOSINGS)
        )
        parts = [rng.choice(openings)]
        parts += [rng.choice(bodies) for _ in range(rng.randint(1, 3))]
        parts.append(rng.choice(closings))
        joiner = "" if chinese else " "
        if rng.random() < 0.2:
            joiner = "\n"
        message = _fill(joiner.join(part for part in parts if part), rng)
        submissions.append(
            [
                ("name", rng.choice(NAMES)),
                ("subject", _fill(rng.choice(subjects), rng)),
                ("message", message),
            ]
        )
    return submissions


def article_submissions() -> list[list[tuple[str, str]]]:
    paths = sorted((ROOT / "content" / "articles").glob("**/*.md"))
    return [[("message", path.read_text(encoding="utf-8"))] for path in paths]


def measure(submissions):
    """Time each scan on the wall clock and in CPU time of this thread (the
    latter is what the code costs when other processes share the CPU)."""
    times, cpu, refused, confirm, examples = [], [], 0, 0, []
    for fields in submissions:
        start, start_cpu = time.perf_counter(), time.thread_time()
        result = secrets.scan_fields(fields)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        times.append((time.perf_counter() - start) * 1000)
        if result.refused:
            refused += 1
            examples.append(fields)
        elif result:
            confirm += 1
    return (times, cpu), refused, confirm, examples


def report(label, timings, refused, confirm):
    print(f"{label}: n={len(timings[0])} refused={refused} asked={confirm}")
    for clock, times in zip(("wall", "cpu"), timings, strict=True):
        times = sorted(times)
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"  {clock:<4} mean {statistics.fmean(times):.3f} ms  "
            f"p95 {p95:.3f} ms  max {times[-1]:.3f} ms"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--show", type=int, default=3, help="refused examples shown")
    args = parser.parse_args()
    # Build the word, typo, look-alike and Ed25519 tables before timing.
    typo = "abandon " * 6 + "abandoz " + "abandon " * 5
    key = base58.b58encode(b"\x01" * 64).decode()
    secrets.scan_fields([("warm-up", f"{typo} 一 0x{'0' * 64} {key}")])
    articles = article_submissions()
    messages = ordinary_messages(args.messages, args.seed)
    total_refused = 0
    for label, submissions in [
        ("demo articles", articles),
        ("support messages (zh+en)", messages),
    ]:
        timings, refused, confirm, examples = measure(submissions)
        report(label, timings, refused, confirm)
        total_refused += refused
        for fields in examples[: args.show]:
            print("  refused:", fields)
    return 1 if total_refused else 0


if __name__ == "__main__":
    sys.exit(main())
