/** The AWS simulator's public surface: import from here in integration tests. */
export { VirtualClock, RealClock, type AdvanceListener, type SimulatorClock } from './clock.js';
export {
  startSimulator,
  Simulator,
  type SimulatorOptions,
  type FunctionSpec,
  type InjectedEvent,
  type AliasState,
  type RequestLogEntry,
  type EndpointSpec,
  type EndpointVariantSpec,
  type EndpointState,
  type EndpointVariantState,
  type EndpointConfigVariant,
  type ModelPackageSpec,
  type ModelPackageState,
  type ModelApprovalStatus,
} from './simulator.js';
export type { AlarmSpec, AlarmChange, AlarmStateValue } from './alarms.js';
export { HEALTHY, type VersionBehaviour, type LatencyProfile } from './behaviour.js';
export type { ScenarioTarget, ModelTarget, FailingUpdate } from './scenarios.js';
export type { ThrottleFault, ConcurrentAliasChange, ConcurrentEndpointChange, ThrottleStatus } from './faults.js';
export type { TrafficGenerator, TrafficSpec, EndpointTrafficSpec, TrafficTally } from './traffic.js';
export { ACCOUNT_ID, REGION, functionArn, codeShaOf } from './lambda-model.js';
export { sageMakerArn, type EndpointTimings, type EndpointChange } from './sagemaker-model.js';
export { modelPackageArn, modelPackageGroupArn } from './sagemaker-registry.js';
export {
  AthenaQueryFailure,
  DEFAULT_ATHENA_TIMINGS,
  DEFAULT_WORKGROUP_OUTPUT,
  workgroupArn,
  type AthenaExecutor,
  type AthenaExecution,
  type AthenaStatement,
  type AthenaTimings,
  type AthenaQueryState,
  type AthenaQueryView,
  type AthenaWorkgroupSpec,
} from './athena-model.js';
export { trinoExecutor, athenaText, type TrinoExecutorOptions } from './athena-trino.js';
