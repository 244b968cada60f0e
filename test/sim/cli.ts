/**
 * Manual exploration: a real-time simulator with a demo function receiving traffic.
 *   npx tsx test/sim/cli.ts --port 4566 [--metric-delay <ms>]   (default 60000, as CloudWatch)
 *   AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
 *     AWS_REGION=us-east-1 aws lambda get-alias --function-name churn-model --name prod
 */
import { parseArgs } from 'node:util';
import { RealClock } from './clock.js';
import { codeShaOf } from './lambda-model.js';
import { startSimulator } from './simulator.js';

// --metric-delay 0: metrics readable at once (CI runs the action against this with a fast plan).
const { values } = parseArgs({ options: { port: { type: 'string', default: '4566' }, 'metric-delay': { type: 'string', default: '60000' } } });
const sim = await startSimulator({ clock: new RealClock(), port: Number(values.port), metricDelayMs: Number(values['metric-delay']) });
sim.createFunction({ name: 'churn-model', versions: 1, aliases: [{ name: 'prod', version: '1' }] });
// New code on $LATEST so a release run has something to publish.
sim.setLatestCode('churn-model', codeShaOf('churn-model:v2'));
sim.startTraffic({ functionName: 'churn-model', alias: 'prod', requestsPerMinute: 600 });
console.log(`AWS simulator listening on ${sim.endpoint}`);
console.log('function churn-model, alias prod -> version 1, 600 req/min; Ctrl-C to stop');

const shutdown = () => {
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
