"""Search benchmark: build time, index size, memory, latency, relevance.

    .venv/bin/python bench/search_bench.py                    # quick: 1k and 10k
    .venv/bin/python bench/search_bench.py --full             # 1k, 10k and 100k
    .venv/bin/python bench/search_bench.py --sizes 5000 --engines sqlite

For each engine and size, a fresh database (a temporary SQLite file, or the
PostgreSQL database ``search_bench`` or the one ``BENCH_PG_URL`` names,
dropped and created) is migrated and
filled with N synthetic Chinese and English articles; the index build is
timed, then thousands of mixed queries run in-process through the same
``search()`` the site uses (snippets included). Relevance (recall@5, MRR) is
measured on the judged queries in bench/data/judged_queries.yaml over the
demo content in content/. Each run is a subprocess, so settings and memory
figures are per engine and size.

    .venv/bin/python bench/search_bench.py --sizes 100000 --keep   # build once
    .venv/bin/python bench/search_bench.py --sizes 100000 --keep   # then reuse

``--keep`` keeps each built database (SQLite files in the system temporary
directory, PostgreSQL's ``search_bench`` tagged with its size and seed) and
reuses it when the size and seed match, so tuning a query does not wait for
a 100,000-article build; pending migrations still apply to it, and
``--reindex`` rebuilds its index from the kept articles. Figures printed
from a reused database carry ``"reused": true`` and no build figures.
"""

import argparse
import gc
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/search_bench"
)
# The database the runs drop and create: the one BENCH_PG_URL names.
PG_NAME = PG_URL.rsplit("/", 1)[1].split("?", 1)[0]

ZH_WORDS = (
    "转账 到账 未到账 充值 提现 手续费 矿工费 地址 网络 钱包 助记词 私钥 备份 恢复 登录 密码 "
    "验证码 双重验证 实名认证 账户 冻结 锁定 客服 工单 诈骗 钓鱼 官方 下载 更新 闪退 缓存 余额 "
    "代币 交易 哈希 区块 浏览器 确认 处理中 审核 限额 兑换 闪兑 授权 合约 节点 同步 显示 "
    "收款 付款 二维码 扫码 转错 跨链 主网 测试网 资产 安全 设备 手机 邮箱 绑定 解绑 申诉 "
    "反馈 建议 评价 版本 安装 卸载 设置 语言 通知 推送 隐私 条款 费用 汇率 价格 行情 "
    "提示 失败 成功 超时 错误 异常 排查 步骤 原因 方法 注意 检查 联系 等待 完成 取消 加速"
).split()
ZH_GLUE = list("的了在是和也就都要会可以请先再把被给让对从向")
EN_WORDS = (
    "transfer deposit withdrawal fee fees gas address network wallet recovery phrase "
    "private key backup restore login password code verification authenticator account "
    "locked frozen support ticket scam phishing official download update crash cache "
    "balance token transaction hash block explorer confirmation pending review limit swap "
    "exchange approve contract node sync display receive send qr scan wrong chain mainnet "
    "asset security device phone email bind unbind appeal feedback suggestion rating "
    "version install uninstall settings language notification privacy terms price failed "
    "success timeout error check contact wait complete cancel speed usdt trc20 erc20 2fa"
).split()
EN_GLUE = "the a to of and in is your you it for on with this that if then".split()
TAIL_WORDS = 8000
QUERY_ZH = [
    "转账未到账怎么办",
    "忘记密码了",
    "钱转出去了对方说没收到",
    "轉帳",
    "助记词",
    "客服电话",
    "提现一直处理中",
    "手续费",
    "app闪退",
    "余额不显示",
    "USDT转错链",
    "验证码收不到",
]
QUERY_EN = [
    "transfer not received",
    "forgot password",
    "pasword reset",
    "app crashes",
    "recovery phrase",
    "gas fee",
    "withdrawal pending",
    "wrong network usdt",
    "2fa",
]


def build_vocabulary(rng: random.Random, domain: list[str], language: str) -> list[str]:
    """Return a Zipf-ranked vocabulary: the domain words spread over the head
    and middle (ranks 3 to ~600), a long tail of generated words after them,
    so common support words match many articles and most words match few."""
    from articles.search.analysis import _traditional_chars

    # Help-center text is Simplified: Traditional characters would only
    # exercise OpenCC's slow path, which real articles never take.
    traditional = _traditional_chars() or frozenset()
    tail: list[str] = []
    seen = set(domain)
    while len(tail) < TAIL_WORDS:
        if language == "zh-hans":
            word = "".join(chr(rng.randint(0x4E00, 0x7FFF)) for _ in range(2))
            if not traditional.isdisjoint(word):
                continue
        else:
            word = "".join(
                rng.choice("bcdfghklmnprstvw") + rng.choice("aeiou")
                for _ in range(rng.randint(2, 5))
            )
        if word not in seen:
            seen.add(word)
            tail.append(word)
    ranked: list[str] = tail[:3]
    tail = tail[3:]
    for word in domain:
        ranked.append(word)
        ranked.extend(tail[:4])
        tail = tail[4:]
    return ranked + tail


class Corpus:
    """Samples words by Zipf rank (s = 1) from each language's vocabulary."""

    def __init__(self, seed: int):
        rng = random.Random(seed)
        self.words = {
            "zh-hans": build_vocabulary(rng, ZH_WORDS, "zh-hans"),
            "en": build_vocabulary(rng, EN_WORDS, "en"),
        }
        self.cumulative = {}
        for language, words in self.words.items():
            total, cumulative = 0.0, []
            for rank in range(1, len(words) + 1):
                total += 1 / rank
                cumulative.append(total)
            self.cumulative[language] = cumulative

    def text(self, rng: random.Random, language: str, count: int) -> str:
        words = rng.choices(
            self.words[language], cum_weights=self.cumulative[language], k=count
        )
        parts = []
        for word in words:
            if language == "zh-hans":
                parts.append(word)
                if rng.random() < 0.4:
                    parts.append(rng.choice(ZH_GLUE))
                if rng.random() < 0.08:
                    parts.append("，" if rng.random() < 0.7 else "。\n\n")
            else:
                parts.append(word if rng.random() < 0.7 else rng.choice(EN_GLUE))
                parts.append(". " if rng.random() < 0.07 else " ")
        return "".join(parts).strip()


def make_queries(rng: random.Random, count: int) -> list[tuple[str, str]]:
    queries = []
    for _ in range(count):
        kind = rng.random()
        language = "zh-hans" if rng.random() < 0.6 else "en"
        if kind < 0.25:
            text = rng.choice(QUERY_ZH if language == "zh-hans" else QUERY_EN)
        elif language == "zh-hans":
            text = "".join(rng.choice(ZH_WORDS) for _ in range(rng.randint(1, 3)))
            if rng.random() < 0.3:
                text += rng.choice(["怎么办", "吗", "了"])
        else:
            words = [rng.choice(EN_WORDS) for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.15:
                word = words[0]
                cut = rng.randrange(len(word))
                words[0] = word[:cut] + word[cut + 1 :]
            text = " ".join(words)
        queries.append((text, language))
    return queries


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


# --- worker (one engine, one size, its own process) ---------------------
def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpcenter.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def index_size(vendor: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size('articles_searchdocument')")
            return cursor.fetchone()[0]
        cursor.execute(
            "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'articles_searchdocument%' "
            "OR name LIKE 'sqlite_autoindex_articles_searchdocument%'"
        )
        return cursor.fetchone()[0] or 0


def _built_tag(size: int, seed: int) -> str:
    return f"search_bench size={size} seed={seed}"


def read_built_tag(vendor: str) -> str:
    """Return the tag a finished build left on this database ("" if none).

    SQLite keeps it in ``PRAGMA user_version`` (size * 1000 + seed), which
    Django never touches; PostgreSQL in the database's comment.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = current_database()"
            )
            return cursor.fetchone()[0] or ""
        cursor.execute("PRAGMA user_version")
        value = cursor.fetchone()[0]
        return _built_tag(value // 1000, value % 1000) if value else ""


def write_built_tag(vendor: str, size: int, seed: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SELECT current_database()")
            name = cursor.fetchone()[0]
            cursor.execute(
                f"COMMENT ON DATABASE {name} IS %s", [_built_tag(size, seed)]
            )
        else:
            cursor.execute(
                f"PRAGMA user_version = {int(size) * 1000 + int(seed) % 1000}"
            )


def build_index(backend) -> None:
    """Index every article in batches, then let the engine settle (stats)."""
    from django.db import connection, transaction

    from articles.models import Article

    last_pk = 0
    while True:
        articles = list(
            Article.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .prefetch_related("tags")[:500]
        )
        if not articles:
            break
        with transaction.atomic():
            backend.index(articles)
        last_pk = articles[-1].pk
    # What rebuild_search_index does after its batches.
    backend.optimize()
    analyze_database(connection.vendor)


def analyze_database(vendor: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE articles_searchdocument")
            # As autovacuum leaves a live table after bulk inserts: with its
            # visibility map unset, counting the visible articles of a
            # language (the partial mode's weights) visits every heap page,
            # 30-95 ms at 100k instead of an index-only scan's 5 ms.
            cursor.execute("VACUUM ANALYZE articles_article")
        else:
            cursor.execute("ANALYZE")


def worker_synthetic(
    size: int, queries: int, seed: int, keep: bool = False, reindex: bool = False
) -> dict:
    from django.db import connection

    from articles.search import get_backend

    if keep and read_built_tag(connection.vendor) == _built_tag(size, seed):
        backend = get_backend()
        if reindex:
            backend.clear()
            started = time.perf_counter()
            build_index(backend)
            figures = {"reindex_s": round(time.perf_counter() - started, 1)}
        else:
            # Migrations applied just now (backfills) may have moved rows.
            analyze_database(connection.vendor)
            figures = {}
        figures = {"articles": size, "reused": True, **figures}
        return {**figures, **measure_queries(backend, queries, seed)}
    figures = build_synthetic(size, seed)
    if keep:
        write_built_tag(connection.vendor, size, seed)
    # An app server never carries an index build's garbage into its
    # requests: collect it now, or its collection lands inside the timings.
    gc.collect()
    return {**figures, **measure_queries(get_backend(), queries, seed)}


def build_synthetic(size: int, seed: int) -> dict:
    from django.db import connection

    from articles.models import Article, Category
    from articles.search import get_backend

    rng = random.Random(seed)
    corpus = Corpus(seed)
    make_text = corpus.text
    categories = [
        Category.objects.create(
            slug=f"bench-{n}", name_zh_hans=f"分类{n}", name_en=f"Cat {n}"
        )
        for n in range(8)
    ]
    started = time.perf_counter()
    batch = []
    for number in range(size):
        language = "zh-hans" if rng.random() < 0.6 else "en"
        words = rng.randint(60, 260) if language == "zh-hans" else rng.randint(80, 320)
        batch.append(
            Article(
                title=make_text(rng, language, rng.randint(3, 7))[:200],
                slug=f"bench-{number}",
                language=language,
                summary=make_text(rng, language, rng.randint(8, 16))[:300],
                body=make_text(rng, language, words),
                category=rng.choice(categories),
                status=(
                    Article.Status.PUBLISHED
                    if rng.random() < 0.95
                    else Article.Status.DRAFT
                ),
                published_at="2026-01-01T00:00:00Z",
            )
        )
        if len(batch) == 2000:
            Article.objects.bulk_create(batch)
            batch = []
    Article.objects.bulk_create(batch)
    generate_seconds = time.perf_counter() - started

    backend = get_backend()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    build_index(backend)
    build_seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "articles": size,
        "generate_s": round(generate_seconds, 1),
        "build_s": round(build_seconds, 1),
        "index_mb": round(index_size(connection.vendor) / 1e6, 1),
        "peak_rss_mb": round(rss_after / 1024, 0),
        "build_rss_growth_mb": round((rss_after - rss_before) / 1024, 0),
    }


def measure_queries(backend, queries: int, seed: int) -> dict:
    """Run the mixed queries uncached, then cached; return the latencies."""
    from articles.search import search

    mixed = make_queries(random.Random(seed + 1), queries)
    for text, language in mixed[:100]:
        search(text, language=language)

    def run(cache_size: int) -> tuple[list[float], int]:
        backend.cache_size = cache_size
        backend.clear_cache()
        timings, zero = [], 0
        for text, language in mixed:
            started = time.perf_counter()
            result = search(text, language=language)
            timings.append((time.perf_counter() - started) * 1000)
            zero += result.total == 0
        return timings, zero

    cached, _zero = run(1024)
    cpu = process_cpu_ms() + database_cpu_ms()
    timings, zero = run(0)
    cpu = process_cpu_ms() + database_cpu_ms() - cpu
    modes = {}
    for text, language in mixed[:500]:
        mode = search(text, language=language).mode
        modes[mode] = modes.get(mode, 0) + 1
    return {
        "queries": len(timings),
        "zero_result_share": round(zero / len(timings), 3),
        "p50_ms": round(percentile(timings, 50), 2),
        "p95_ms": round(percentile(timings, 95), 2),
        "p99_ms": round(percentile(timings, 99), 2),
        # CPU per uncached query, this process and the database's (its
        # PostgreSQL backend), which a shared machine's load disturbs less.
        "cpu_mean_ms": round(cpu / len(timings), 2),
        "cached_p50_ms": round(percentile(cached, 50), 2),
        "cached_p95_ms": round(percentile(cached, 95), 2),
        "cached_p99_ms": round(percentile(cached, 99), 2),
        "modes_first_500": modes,
    }


def process_cpu_ms() -> float:
    return time.process_time() * 1000


def process_cpu_seconds(pid: int | None) -> float:
    """CPU time used so far by process ``pid`` on this machine (Linux
    ``/proc``, 10 ms ticks: user and system), or 0 when there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, TypeError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_cpu_ms() -> float:
    """CPU time used so far by the PostgreSQL backend of this connection
    (server on this machine, Linux; 0 otherwise)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return process_cpu_seconds(pid) * 1000


def worker_judged() -> dict:
    import yaml
    from django.core.management import call_command

    from articles.models import Article
    from articles.search import search

    call_command(
        "import_articles",
        str(ROOT / "content"),
        # The bench database has no support channels to check contacts against.
        confirm_contacts=True,
        verbosity=0,
        stdout=open(os.devnull, "w"),
    )
    judged = yaml.safe_load(
        (ROOT / "bench/data/judged_queries.yaml").read_text(encoding="utf-8")
    )
    slugs = dict(Article.objects.values_list("pk", "slug"))
    hits_at_5, reciprocal, misses, empty, short = 0.0, 0.0, [], [], []
    for item in judged:
        relevant = set(item["relevant"])
        result = search(item["q"], language=item["lang"], limit=10)
        ranked = [slugs.get(hit.article_id) for hit in result.hits]
        if not result.total:
            empty.append(item["q"])
        # recall@5: share of the relevant articles in the top five (capped at
        # five, so a query with seven good answers can still score 1.0).
        found = len(relevant & set(ranked[:5]))
        hits_at_5 += found / min(len(relevant), 5)
        if found < min(len(relevant), 5):
            short.append(
                f"{item['q']!r} -> {found} of {min(len(relevant), 5)} in the top five"
            )
        rank = next((n for n, slug in enumerate(ranked, 1) if slug in relevant), None)
        reciprocal += 1 / rank if rank else 0
        if rank != 1:
            misses.append(f"{item['q']!r} -> first relevant at {rank}")
    return {
        "judged_queries": len(judged),
        "articles": Article.objects.count(),
        "recall_at_5": round(hits_at_5 / len(judged), 3),
        "mrr": round(reciprocal / len(judged), 3),
        "no_result": empty,
        "not_first": misses,
        "recall_short": short,
    }


# --- driver -------------------------------------------------------------
def pg_admin(sql: str) -> None:
    import psycopg

    base = PG_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(sql)


def pg_kept_tag() -> str | None:
    """Return the build tag of the kept PostgreSQL database (None: absent)."""
    import psycopg

    base = PG_URL.rsplit("/", 1)[0] + "/postgres"
    name = PG_NAME
    with psycopg.connect(base, autocommit=True) as connection:
        row = connection.execute(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '') "
            "FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    return row[0] if row else None


def kept_databases_dir() -> Path:
    """Where ``--keep`` keeps SQLite databases: ``BENCH_KEEP_DIR``, else a
    folder of the system temporary directory."""
    return Path(
        os.environ.get(
            "BENCH_KEEP_DIR", Path(tempfile.gettempdir()) / "helpcenter-search-bench"
        )
    )


def run_worker(engine: str, args: list[str], keep_name: str | None = None) -> dict:
    """Run one worker on a fresh database, or on a kept one (``keep_name``).

    A kept database is not dropped afterwards; the worker decides from the
    tag a finished build leaves whether it can be reused.
    """
    keep_dir = kept_databases_dir()
    with tempfile.TemporaryDirectory() as tmp:
        if engine == "sqlite":
            if keep_name:
                keep_dir.mkdir(exist_ok=True)
                path = keep_dir / f"{keep_name}.sqlite3"
                if path.exists() and not sqlite_build_finished(path):
                    path.unlink()
                url = f"sqlite:///{path}"
            else:
                url = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            size, seed = (keep_name or "0-0").split("-")
            if not keep_name or pg_kept_tag() != _built_tag(int(size), int(seed)):
                pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}"')
                pg_admin(f'CREATE DATABASE "{PG_NAME}"')
            url = PG_URL
        try:
            output = subprocess.run(
                [sys.executable, __file__, "--worker", "--database-url", url, *args],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            ).stdout
        except subprocess.CalledProcessError as error:
            sys.stderr.write(error.stderr)
            raise
        except BaseException:
            # A half-built kept database must not be mistaken for a built one;
            # the tag is only written after a build, so dropping is enough.
            if engine == "postgresql" and keep_name:
                pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}"')
            raise
        finally:
            if engine == "postgresql" and not keep_name:
                pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}"')
    return json.loads(output.strip().splitlines()[-1])


def sqlite_build_finished(path: Path) -> bool:
    """Return whether a kept SQLite file finished its build (tag is set)."""
    import sqlite3

    try:
        with sqlite3.connect(path) as connection:
            return bool(connection.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1000,10000", help="comma-separated article counts"
    )
    parser.add_argument("--full", action="store_true", help="also run 100,000 articles")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-judged", action="store_true")
    parser.add_argument(
        "--judged-only", action="store_true", help="only the relevance figures"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the built databases and reuse them on the next run",
    )
    parser.add_argument(
        "--reindex",
        action="store_true",
        help="with --keep: rebuild the index of a reused database",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--judged", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        setup_django(args.database_url)
        if args.judged:
            figures = worker_judged()
        else:
            figures = worker_synthetic(
                int(args.sizes), args.queries, args.seed, args.keep, args.reindex
            )
        print(json.dumps(figures, ensure_ascii=False))
        return

    sizes = [] if args.judged_only else [int(size) for size in args.sizes.split(",")]
    if args.full and 100_000 not in sizes and not args.judged_only:
        sizes.append(100_000)
    engines = args.engines.split(",")
    for engine in engines:
        if not args.skip_judged:
            figures = run_worker(engine, ["--judged"])
            print(
                f"[{engine}] relevance on the demo content:",
                json.dumps(figures, ensure_ascii=False, indent=1),
            )
        for size in sizes:
            options = ["--keep"] if args.keep else []
            options += ["--reindex"] if args.reindex else []
            figures = run_worker(
                engine,
                [
                    "--sizes",
                    str(size),
                    "--queries",
                    str(args.queries),
                    "--seed",
                    str(args.seed),
                    *options,
                ],
                keep_name=f"{size}-{args.seed}" if args.keep else None,
            )
            print(f"[{engine}] {json.dumps(figures)}", flush=True)


if __name__ == "__main__":
    main()
