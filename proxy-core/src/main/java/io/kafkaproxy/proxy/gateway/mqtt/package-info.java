/**
 * The MQTT 3.1.1 and 5.0 gateway: a listener on the proxy's event loops whose clients publish into Kafka (a topic
 * filter mapping picks the Kafka topic and record key) and subscribe to Kafka topics, with their sessions kept in
 * memory while the proxy runs.
 *
 * <p>Pipeline of an MQTT connection, in order: TLS (when {@code mqtt.tls} is set) → {@code MqttDecoder} (largest
 * packet {@code mqtt.maxPacketBytes}) → {@code MqttEncoder} → keep-alive timer → {@code
 * MqttConnectionHandler} (one per connection: CONNECT and its login, PUBLISH into Kafka and its acknowledgements,
 * SUBSCRIBE through the shared fan-out of {@code gateway.stream}). Sessions ({@code MqttSessions}) and the retained
 * messages ({@code MqttRetainedMessages}) belong to the listener ({@code MqttGatewayServer}).
 */
package io.kafkaproxy.proxy.gateway.mqtt;
