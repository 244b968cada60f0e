import { describeUsage, usageTotals } from '../../../src/data/usage.js';

describe('the data gate usage totals (bytes scanned, estimated cost)', () => {
  it('sums every statement, and is absent when the engine reports no bytes (DuckDB)', () => {
    expect(usageTotals([])).toBeUndefined();
    expect(usageTotals([{ id: 'a', engineMs: 3 }])).toBeUndefined();
    expect(usageTotals([{ id: 'a', bytesScanned: 0 }, { id: 'b', bytesScanned: 1024 }])).toEqual({ statements: 2, bytesScanned: 1024 });
    expect(usageTotals([{ id: 'a', bytesScanned: 10, costUsd: 0.01 }, { id: 'b', bytesScanned: 5, costUsd: 0 }, { id: 'c' }])).toEqual({ statements: 3, bytesScanned: 15, costUsd: 0.01 });
  });

  it('says it in one clause: statements, bytes in binary units, the cost as an estimate', () => {
    expect(describeUsage({ statements: 1, bytesScanned: 512 })).toBe('1 statement scanned 512 bytes');
    expect(describeUsage({ statements: 7, bytesScanned: 3 * 1024 ** 3, costUsd: 0.0146484375 })).toBe('7 statements scanned 3.0 GiB (estimated cost $0.0146)');
    expect(describeUsage({ statements: 2, bytesScanned: 1536, costUsd: 0.0000476837158203125 })).toBe('2 statements scanned 1.5 KiB (estimated cost $0.000048)');
    expect(describeUsage({ statements: 2, bytesScanned: 0, costUsd: 0 })).toBe('2 statements scanned 0 bytes (estimated cost $0.0000)');
  });
});
