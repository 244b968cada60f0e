import * as core from '@actions/core'; import { LambdaClient } from '@aws-sdk/client-lambda'; core.info('hello main ' + typeof LambdaClient);
