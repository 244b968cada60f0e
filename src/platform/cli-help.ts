/** Help texts for `model-release-gate [command] --help`. */
import { TOOL_VERSION } from '../pipeline.js';

const COMMON = `Configuration:
  --config <path>          config file (default model-release.yml; defaults apply when absent)
  --set <key=value>        override any config key, repeatable (e.g. --set rollout.step=20)
  --target-type <type>     override target.type (lambda or sagemaker)
  --function-name <name>   override target.function-name
  --alias <name>           override target.alias
  --endpoint-name <name>   override target.endpoint-name (SageMaker)
  --region <region>        override target.region (otherwise AWS_REGION)
  --target-version <v>     override target.version (deploy an existing Lambda version or
                           SageMaker model)
  --preset <name>          override rollout.preset (e.g. Canary10Percent5Minutes)
  --dry-run                print the plan, its expected time and whether it can be judged;
                           make no AWS write (exit 2 for a plan that can never pass)
  --report-path <path>     write the JSON report here
  --junit-path <path>      write JUnit XML here (GitLab artifacts:reports:junit)
  --dotenv-path <path>     write the outputs as dotenv here (GitLab artifacts:reports:dotenv)
  --json                   print the report as JSON instead of text

Commits (one way; default: GitLab's CI_COMMIT_BEFORE_SHA..CI_COMMIT_SHA, else HEAD):
  --from <ref> --to <ref>  a git range (from exclusive)
  -m, --message <text>     a commit message, repeatable
  --stdin                  messages on standard input, separated by NUL or a line '---'
  --force                  release even when no commit targets the API scope
  --sha <sha> --tag <tag>  recorded in the published version's description; --sha is also
                           reported as the SHA of a single --message or --stdin message

Release tags in GitLab CI (release.tag set, GITLAB_CI=true): the next tag is named before
publishing and created as a GitLab release on promotion, with MODEL_RELEASE_GATE_GITLAB_TOKEN
(a project access token, sent as PRIVATE-TOKEN) else CI_JOB_TOKEN. Elsewhere no tag is created.`;

export const HELP: Record<string, string> = {
  main: `model-release-gate ${TOOL_VERSION}: gate the release of an ML model served as an API.

Usage: model-release-gate <command> [options]

Commands:
  trigger   decide whether the commits release (no AWS access)
  release   the whole gate: trigger, checks, canary rollout with automatic rollback
  check     run the checks for a merge request; move no traffic
  validate  check the config and whether the rollout plan can be judged (no AWS access)
  rollback  point the alias back at the version of a release tag, a commit, or 'previous'
  recover   roll back a rollout left unfinished by a cancelled job (GitLab after_script)

Run 'model-release-gate <command> --help' for the options of a command;
'model-release-gate --version' (or -V, also after a command) prints this tool's version.

Exit codes:
  0  released, or nothing to release
  1  a gate judged the release and failed it, or the rollout was rolled back, or aborted
     (an alias already shifting, a concurrent change, an AWS failure after the retries)
  2  usage, configuration or input error; nothing was changed: bad flags or config; a data
     or model file missing, unreadable, ragged, or holding a non-number, NaN or infinity; a check
     naming a column that does not exist; an unknown function, alias or --target-version, or
     AccessDenied before anything was published; a rollout plan that can never pass
     (validate, --dry-run)`,
  trigger: `Usage: model-release-gate trigger [options]

Decide whether the commits release: a commit whose type is in trigger.types (feat, fix, perf,
revert) and whose scope is in trigger.scopes (api), case-insensitive; 'Feat (Api): x' counts
like 'feat(api): x'. Prints the decision; with --json: {release, bump, reason, commits}.

${COMMON}`,
  release: `Usage: model-release-gate release [options]

Run the whole gate: trigger, then (when configured) the checks, then the canary rollout on the
Lambda alias or the SageMaker endpoint's variants, rolling back automatically on errors.
SIGINT/SIGTERM roll back before exiting.
  --state-file <path>      where rollout state is kept for 'recover' (default .model-release-gate/state.json)

${COMMON}`,
  check: `Usage: model-release-gate check [options]

Run the trigger and the checks for a merge request. Never moves traffic. Exits 2 when a gate
could not read its input (an input error), else 1 when a check failed, else 0.

${COMMON}`,
  validate: `Usage: model-release-gate validate [--config <path>] [--set <key=value>] [options]

Load and validate the config, reporting every error of the file in one run, each with its
line; then check offline, touching no AWS, whether each step of the rollout plan can collect
min-invocations of its own traffic before its deadline. A step is judged on the whole
minutes it served itself; a minute's datapoint is readable one metric
period (1m) plus rollout.metric-delay after the minute starts. So a step whose duration and
max-extension together are shorter than 1m + metric-delay can never pass: an error. With
rollout.expected-rpm (requests per minute on the alias), a step expected to get fewer than
min-invocations (expected-rpm × its weight × its readable minutes) is a warning with the
numbers; without it, the report says how much traffic each step needs.
  --config <path>          config file (default model-release.yml; defaults apply when absent)
  --set <key=value>        override any config key, repeatable (e.g. --set rollout.expected-rpm=300)
  --preset <name>          override rollout.preset (e.g. Canary10Percent5Minutes)
  --report-path <path>     write the JSON report here
  --junit-path <path>      write JUnit XML here (GitLab artifacts:reports:junit)
  --json                   print the report as JSON instead of text

Exit codes: 0 the config is valid and the plan can be judged (warnings included); 2 the config
is invalid, or the plan can never pass.`,
  rollback: `Usage: model-release-gate rollback --to <tag|sha|previous> [--reason <text>] [--force] [options]

Point the alias at the Lambda version a release published, with no additional weights, using
the alias's RevisionId (a concurrent change is reported, never overwritten), then read it back.
On a SageMaker endpoint (target.type: sagemaker), the endpoint gets a config with one variant
serving the release's model, after comparing the endpoint with what was read before the write.
The version is found through the description each release wrote when it published it
('model-release-gate sha=<sha> tag=<tag>').
  --to <value>             a release tag (e.g. model-v1.4.0), a commit SHA (7 to 40 hex digits,
                           an abbreviation matches by prefix), or 'previous' (below)
  --reason <text>          why; shown in the report with who asked: GITLAB_USER_LOGIN, else
                           USER, else LOGNAME
  --force                  roll back even while a rollout is in progress on the alias
  --config <path>          config file (default model-release.yml): target.function-name, target.alias
  --set <key=value>        override any config key, repeatable
  --target-type <type>     override target.type (lambda or sagemaker)
  --function-name <name>   override target.function-name
  --alias <name>           override target.alias
  --endpoint-name <name>   override target.endpoint-name (SageMaker)
  --region <region>        override target.region (otherwise AWS_REGION)
  --dry-run                resolve and print what would change; make no AWS write
  --report-path <path>     write the JSON report here
  --junit-path <path>      write JUnit XML here (GitLab artifacts:reports:junit)
  --dotenv-path <path>     write the outputs as dotenv here (GitLab artifacts:reports:dotenv)
  --json                   print the report as JSON instead of text

'previous' is the version that served right before the current one, by the history kept in
the alias description ('model-release-gate promoted=6,4,3', newest first): each promotion puts
its version first; each manual rollback puts its target first and drops the version it left
(and any recorded above the target). So releases rolled back, automatically or by hand, are
skipped, and rolling back twice walks back through the promoted releases. With no history, or with the current
version not in it, 'previous' is the newest release numbered below the current version, and
the report says so.

Exit codes: 0 rolled back, or already at that version (nothing to do); 1 refused because a
rollout is in progress, or the alias changed meanwhile, or an AWS error; 2 'to' is invalid or
names no release, or the function or alias does not exist or may not be read (nothing was
changed).`,
  recover: `Usage: model-release-gate recover [--state-file <path>]

Roll back a rollout that a cancelled or killed 'release' left unfinished, using the state file
it wrote. Does nothing when no rollout is unfinished, and leaves the alias alone when someone
else changed it since. Use it in GitLab's after_script.
  --state-file <path>      default .model-release-gate/state.json`,
};
