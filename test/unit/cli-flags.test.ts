import { CliPlatform, parseCli } from '../../src/platform/cli.js';
import { HELP } from '../../src/platform/cli-help.js';

describe('--version and --target-version on the command line', () => {
  it('--version (or -V) prints the tool version, before or after a command', () => {
    expect(parseCli(['--version'])).toEqual({ command: 'version', options: {} });
    expect(parseCli(['-V'])).toEqual({ command: 'version', options: {} });
    expect(parseCli(['release', '--version'])).toEqual({ command: 'version', options: {} });
    expect(parseCli(['rollback', '--to', 'previous', '-V'])).toEqual({ command: 'version', options: {} });
  });

  it('--target-version overrides target.version; --version never takes a value', () => {
    const { command, options } = parseCli(['release', '--target-version', '7', '--dry-run']);
    expect(command).toBe('release');
    const inputs = new CliPlatform('release', options, {}).readInputs();
    expect(inputs.overrides).toContainEqual({ path: 'target.version', value: '7', source: 'flag --target-version' });
    // The old spelling `--version 7` is no longer an override: 7 is a stray positional.
    expect(() => parseCli(['release', '--version', '7'])).toThrow(/release:/);
  });

  it('the help names --target-version and says what --version does', () => {
    expect(HELP.release).toMatch(/^ {2}--target-version <v> +override target\.version/m);
    expect(HELP.release).not.toMatch(/^ {2}--version <n>/m);
    expect(HELP.main).toContain("'model-release-gate --version' (or -V, also after a command) prints this tool's version");
  });
});
