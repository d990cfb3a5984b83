/**
 * The API's route modules, in registration order. A module added here inherits the
 * server's authentication, Host/Origin guard, rate limit on posts, error shapes and
 * OpenAPI generation (context.ts). Plates and CAP (issue 11) add theirs to this list.
 */
import type { RouteModule } from '../context.js'
import { healthRoutes } from './health.js'
import { nodeRoutes } from './node.js'
import { messageRoutes } from './messages.js'
import { eventRoutes } from './events.js'
import { consoleRoutes } from './console.js'

export const ROUTE_MODULES: RouteModule[] = [
  healthRoutes,
  nodeRoutes,
  messageRoutes,
  eventRoutes,
  consoleRoutes
]
