package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// checkEviction warns when Redis may evict the bot's keys to make room. Every key the bot
// stores has a TTL, so the volatile-* policies evict them as surely as allkeys-*: sessions
// and open cases vanish, the customer gets no answer and staff's /claim finds no case.
// Only noeviction keeps them (Redis then refuses writes, which /healthz reports). Managed
// services often refuse CONFIG: that is logged at debug, and is no failure.
func checkEviction(ctx context.Context, rdb redis.UniversalClient, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	res, err := rdb.ConfigGet(ctx, "maxmemory-policy").Result()
	if err != nil {
		logger.Debug("cannot read the redis maxmemory-policy; make sure it is noeviction", "err", err)
		return
	}
	policy, ok := res["maxmemory-policy"]
	if !ok {
		return
	}
	if strings.EqualFold(policy, "noeviction") {
		logger.Debug("redis maxmemory-policy is noeviction")
		return
	}
	logger.Warn("redis may evict keys when its memory is full, which silently erases sessions and cases; set maxmemory-policy noeviction (see README, Security)", "maxmemory-policy", policy)
}
