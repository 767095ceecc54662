import type { Context } from 'hono';
import type { Actor } from '../service/context.js';
import { clientIp } from './client-ip.js';
import type { AppEnv } from './env.js';

export const staffActor = (c: Context<AppEnv>): Actor => ({ type: 'staff', id: c.get('staff').id, ip: clientIp(c) });
export const cardholderActor = (c: Context<AppEnv>): Actor => ({ type: 'cardholder', id: c.get('customerId'), ip: clientIp(c) });
