"""Typst peer benchmark: the same 责令退款通知书 as `notice_bench bench`, rendered by Typst
(Python package `typst`, `pip install typst`) with the same open fonts (Noto Serif CJK SC).

Prints warm time per notice, PDF size and peak memory for one notice and for a batch of N
(one document with N notices, like `render_batch`). Usage: python3 benches/typst_notice.py [N]
"Cold" is the first compile of the process; "cold with fonts" adds making the compiler, which
searches the font folders (Recoup's cold includes its font search). The last line (RESULT
key=value …) is what `notice_bench compare` reads.
"""

import os
import resource
import sys
import tempfile
import time

import typst

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000

PAGE = r"""
#set page(paper: "a4", margin: (top: 37mm, left: 28mm, right: 26mm, bottom: 35mm),
  numbering: "— 1 —", number-align: right)
#set text(font: ("Noto Serif CJK SC"), size: 16pt, lang: "zh", region: "cn")
#set par(justify: true, first-line-indent: (amount: 2em, all: true), leading: 12.9pt, spacing: 12.9pt)
"""

NOTICE = r"""
#align(center, text(size: 22pt, weight: "bold")[某某县医疗保障局 \ 责令退款通知书])
#align(right)[某医保责退〔2026〕NUM号]
#v(1em)
#par(first-line-indent: 0pt)[某某县人民医院：]

2026年3月16日，某某县医疗保障局在2026年度医疗保障基金使用专项检查中发现，你单位存在以下违法违规使用医疗保障基金的行为：1.2025年1月至12月，将不符合住院指征的参保人员收治入院，违规结算住院费用；2.超标准收取护理费、床位费，重复收取静脉输液费；3.串换药品、医用耗材项目进行医保结算。

上述行为违反了《医疗保障基金使用监督管理条例》第十五条的规定。依据《医疗保障基金使用监督管理条例》第三十八条的规定，现责令你单位退回违法违规使用的医疗保障基金共计人民币贰万柒仟陆佰肆拾陆元捌角贰分（¥27,646.82），明细见下表。

#text(size: 12pt, table(columns: (10%, 26%, 16%, 18%, 30%), align: (center, center, center, center, right),
  table.header[序号][险种][所属年度][费用类别][金额（元）],
  [1], [职工基本医保], [当年], [住院费], [12,480.50],
  [2], [职工基本医保], [当年], [门诊费], [1,306.00],
  [3], [职工基本医保], [历年], [——], [3,200.00],
  [4], [居民基本医保], [当年], [住院费], [8,615.02],
  [5], [居民基本医保], [历年], [——], [2,045.30],
  table.cell(colspan: 4)[合计], [27,646.82],
))

请你单位于2026年5月20日前，按照某某县医疗保险管理局出具的《医疗保障基金追回通知单》载明的缴款方式，将上述款项足额退回至医保经办机构基金支出户，并在缴款后3个工作日内将缴款凭证复印件送至某某县医疗保险管理局。逾期不退回的，我局将依法依规作进一步处理。

#v(2em)
#align(right)[#block(width: 12em)[#align(center)[某某县医疗保障局 \ 2026年4月22日]]#h(4em)]
#par[（联系人：赵晓东；联系电话：0431-85559876）]
"""

FONT_PATHS = ["/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/lxgw-wenkai"]


def source(numbers):
    parts = [PAGE]
    for i, n in enumerate(numbers):
        if i:
            parts.append("#pagebreak()\n#counter(page).update(1)\n")
        parts.append(NOTICE.replace("NUM", str(n)))
    return "".join(parts)


def main():
    with tempfile.TemporaryDirectory() as d:
        one = os.path.join(d, "one.typ")
        with open(one, "w") as f:
            f.write(source([12]))
        t0 = time.perf_counter()
        compiler = typst.Compiler(one, font_paths=FONT_PATHS, ignore_system_fonts=True)
        t = time.perf_counter()
        pdf = compiler.compile(format="pdf")
        cold = time.perf_counter() - t
        cold_with_fonts = time.perf_counter() - t0
        runs = 30
        t = time.perf_counter()
        for i in range(runs):
            # Change the input each time so that Typst's memoisation cannot reuse the output.
            with open(one, "w") as f:
                f.write(source([100 + i]))
            pdf = compiler.compile(format="pdf")
        warm = (time.perf_counter() - t) / runs
        size = len(pdf)
        peak_single = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"typst {typst.__version__}: single notice cold {cold * 1e3:.1f} ms "
              f"({cold_with_fonts * 1e3:.1f} ms with making the compiler), warm {warm * 1e3:.2f} ms, "
              f"size {size} bytes ({size / 1024:.1f} KB), peak RSS {peak_single:.0f} MB")
        batch = os.path.join(d, "batch.typ")
        with open(batch, "w") as f:
            f.write(source(range(1, N + 1)))
        t = time.perf_counter()
        out = typst.compile(batch, format="pdf", font_paths=FONT_PATHS, ignore_system_fonts=True)
        el = time.perf_counter() - t
        print(f"typst batch of {N}: {el:.2f} s total, {el * 1e3 / N:.2f} ms per notice, {len(out) / 1048576:.1f} MB")
        peak_batch = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"typst peak RSS {peak_batch:.1f} MB")
        print(f"RESULT cold_ms={cold * 1e3:.3f} cold_with_fonts_ms={cold_with_fonts * 1e3:.3f} "
              f"warm_ms={warm * 1e3:.4f} size_kb={size / 1024:.2f} batch_s={el:.4f} "
              f"batch_mb={len(out) / 1048576:.3f} peak_single_mb={peak_single:.1f} "
              f"peak_batch_mb={peak_batch:.1f}")


if __name__ == "__main__":
    main()
