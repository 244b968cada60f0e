"""The Great Expectations leg of bench/data: the full catalogue as GE expectations, one suite.

    .cache/bench-peers/venv/bin/python bench/data/ge_leg.py DATASET REFERENCE > ge.json

GE 1.x: an ephemeral context, a pandas data source, one whole-DataFrame batch of the dataset
(read by catalogue.read, as pandas_scipy.py does) validated against one suite built from
catalogue-full.json:
  row_count          ExpectTableRowCountToBeBetween
  schema             ExpectColumnValuesToBeInTypeList (the pandas dtypes of the kind; an integer
                     column read from CSV is float64, catalogue.read widens it for nulls);
                     ExpectColumnValuesToBeOfType(CategoricalDtypeType) for a category column
  missing            ExpectColumnValuesToNotBeNull(mostly = 1 - max-percent)
  range              ExpectColumnValuesToBeBetween
  allowed            ExpectColumnValuesToBeInSet
  unique             ExpectColumnValuesToBeUnique (ExpectCompoundColumnsToBeUnique for a compound key)
  unseen_categories  ExpectColumnDistinctValuesToContainSet, the set = the reference's categories
                     (read with pandas: GE validates one batch at a time); exact for min-count 1,
                     GE has nothing for "at least N training rows"
  drift              GE has no two-sample drift test (no Wasserstein, Jensen–Shannon, PSI, KS
                     or chi-square against another batch). The nearest is
                     ExpectColumnKLDivergenceToBeLessThan against a partition object built from
                     the reference (numbers: its deciles as bins; categories: its frequencies),
                     threshold 0.1: a KL divergence, so its verdicts are not the gate's (and a
                     reference category the dataset lacks makes it infinite: a fail).
Prints {"checks": verdicts (catalogue.ts keys), "drift": column -> {"kl": value}, "expectations": n}.
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import catalogue  # noqa: E402  (beside this file)

TYPES = {
    'numeric': ['float64', 'float32', 'int64', 'int32', 'int16', 'int8', 'Float64', 'Int64', 'Int32'],
    'integer': ['int64', 'int32', 'int16', 'int8', 'Int64', 'Int32', 'float64'],
    'text': ['object', 'str', 'string'],
    'boolean': ['bool', 'boolean'],
}
KL_THRESHOLD = 0.1
TAIL_WEIGHT_HOLDOUT = 1e-4


def partition(reference, numeric):
    r = reference.dropna()
    if numeric:
        bins = np.unique(np.quantile(r.to_numpy(dtype=float), np.linspace(0, 1, 11)))
        counts, _ = np.histogram(r.to_numpy(dtype=float), bins=bins)
        return {'bins': bins.tolist(), 'weights': (counts / counts.sum()).tolist()}
    counts = r.astype(str).value_counts()
    return {'values': counts.index.tolist(), 'weights': (counts / counts.sum()).tolist()}


def suite_for(gx, gxe, checks, dataset, reference):
    """(key, expectation) per catalogue check and column; key as catalogue.ts names verdicts."""
    out = []
    rows = len(dataset)
    for check in checks:
        kind = check['type']
        if kind == 'row_count':
            out.append(('row_count', gxe.ExpectTableRowCountToBeBetween(min_value=check.get('min'), max_value=check.get('max'))))
        elif kind == 'schema':
            for column, wanted in check['required'].items():
                # type_list compares the dtype itself, and a category column's dtype (with its
                # categories) equals no name GE resolves; ExpectColumnValuesToBeOfType compares
                # dtype.type, which CategoricalDtypeType matches.
                categorical = wanted == 'text' and column in dataset and isinstance(dataset[column].dtype, pd.CategoricalDtype)
                e = (gxe.ExpectColumnValuesToBeOfType(column=column, type_='CategoricalDtypeType') if categorical
                     else gxe.ExpectColumnValuesToBeInTypeList(column=column, type_list=TYPES[wanted]))
                out.append((f'schema:{column}', e))
        elif kind == 'missing':
            for column in check['columns']:
                mostly = 1 - (check['maxCount'] / rows if 'maxCount' in check else check.get('maxPercent', 0) / 100)
                out.append((f'missing:{column}', gxe.ExpectColumnValuesToNotBeNull(column=column, mostly=mostly)))
        elif kind == 'range':
            for column in check['columns']:
                out.append((f'range:{column}', gxe.ExpectColumnValuesToBeBetween(column=column, min_value=check.get('min'), max_value=check.get('max'))))
        elif kind == 'allowed':
            for column in check['columns']:
                out.append((f'allowed:{column}', gxe.ExpectColumnValuesToBeInSet(column=column, value_set=check['values'])))
        elif kind == 'unique':
            key = check['columns']
            e = gxe.ExpectColumnValuesToBeUnique(column=key[0]) if len(key) == 1 else gxe.ExpectCompoundColumnsToBeUnique(column_list=key)
            out.append((f"unique:{'+'.join(key)}", e))
        elif kind == 'unseen_categories':
            for column in check['columns']:
                production = sorted(reference[column].dropna().astype(str).unique().tolist())
                out.append((f'unseen_categories:{column}', gxe.ExpectColumnDistinctValuesToContainSet(column=column, value_set=production)))
        elif kind == 'drift':
            for column in dataset.columns:
                numeric = pd.api.types.is_numeric_dtype(dataset[column]) and not pd.api.types.is_bool_dtype(dataset[column])
                # Numbers: 1e-4 of the weight on the tails beyond the reference's extremes, or every
                # dataset value outside them makes the divergence infinite.
                holdout = {'tail_weight_holdout': TAIL_WEIGHT_HOLDOUT} if numeric else {}
                out.append((f'drift:{column}', gxe.ExpectColumnKLDivergenceToBeLessThan(
                    column=column, partition_object=partition(reference[column], numeric), threshold=KL_THRESHOLD, **holdout)))
    return out


def observed(result):
    r = result.result or {}
    for key in ('observed_value', 'unexpected_count'):
        if r.get(key) is not None:
            v = r[key]
            return v if isinstance(v, (int, float, str)) else json.dumps(v, default=str)[:200]
    return None


def main(dataset_path, reference_path):
    started = time.perf_counter()
    import great_expectations as gx
    import great_expectations.expectations as gxe
    import_s = time.perf_counter() - started
    dataset = catalogue.read(dataset_path)
    reference = catalogue.read(reference_path)
    read_s = time.perf_counter() - started - import_s
    context = gx.get_context(mode='ephemeral')
    try:  # no progress bars on stderr
        from great_expectations.data_context.types.base import ProgressBarsConfig
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # noqa: BLE001  (an older or newer GE: the bars only cost a little)
        pass
    batch = (context.data_sources.add_pandas('bench').add_dataframe_asset('dataset')
             .add_batch_definition_whole_dataframe('whole').get_batch(batch_parameters={'dataframe': dataset}))
    keyed = suite_for(gx, gxe, catalogue.load(), dataset, reference)
    suite = context.suites.add(gx.ExpectationSuite(name='catalogue'))
    key_of = {}
    for key, expectation in keyed:
        key_of[suite.add_expectation(expectation).id] = key
    built_s = time.perf_counter() - started - import_s - read_s
    validation = batch.validate(suite, result_format='SUMMARY')
    checks, drift = {}, {}
    for result in validation.results:
        key = key_of[result.expectation_config.id]
        checks[key] = {'passed': bool(result.success), 'observed': observed(result)}
        if result.exception_info and result.exception_info.get('raised_exception'):
            checks[key]['error'] = str(result.exception_info.get('exception_message'))[:200]
        if key.startswith('drift:'):
            drift[key.split(':', 1)[1]] = {'kl': observed(result)}
    print(f'great_expectations {gx.__version__} (pandas {pd.__version__}): import {import_s:.2f} s, read {read_s:.2f} s, '
          f'suite {built_s:.2f} s, validate {time.perf_counter() - started - import_s - read_s - built_s:.2f} s, '
          f'{len(keyed)} expectations, {sum(1 for c in checks.values() if not c["passed"])} failed', file=sys.stderr)
    json.dump({'checks': checks, 'drift': drift, 'expectations': len(keyed)}, sys.stdout, indent=1, default=str)
    print()


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: ge_leg.py DATASET REFERENCE')
    main(sys.argv[1], sys.argv[2])
