import { type Request } from 'express';
import { type ClientInfo } from './session.service.js';

export function clientInfo(req: Request): ClientInfo {
  return { userAgent: req.get('user-agent'), ip: req.ip };
}
