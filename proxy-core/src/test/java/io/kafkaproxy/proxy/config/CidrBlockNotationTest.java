package io.kafkaproxy.proxy.config;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrBlockNotationTest
{
    @Test
    void shouldMatchIpv4AddressesInsideThePrefixOnly() throws UnknownHostException
    {
        // Given
        final CidrBlock block = CidrBlock.parse("10.20.0.0/14");

        // Then
        assertThat(block.contains(InetAddress.getByName("10.20.0.1"))).isTrue();
        assertThat(block.contains(InetAddress.getByName("10.23.255.255"))).isTrue();
        assertThat(block.contains(InetAddress.getByName("10.24.0.0"))).isFalse();
        assertThat(block.contains(InetAddress.getByName("10.19.255.255"))).isFalse();
        assertThat(block.contains(InetAddress.getByName("::ffff:10.20.0.1"))).isTrue();
        assertThat(block.contains(InetAddress.getByName("::a14:1"))).isFalse();
        assertThat(block.contains(null)).isFalse();
    }

    @Test
    void shouldMatchIpv6AddressesInsideThePrefixOnly() throws UnknownHostException
    {
        // Given
        final CidrBlock block = CidrBlock.parse("2001:db8:20::/45");

        // Then
        assertThat(block.contains(InetAddress.getByName("2001:db8:27:ffff::1"))).isTrue();
        assertThat(block.contains(InetAddress.getByName("2001:db8:28::1"))).isFalse();
        assertThat(block.contains(InetAddress.getByName("10.0.0.1"))).isFalse();
    }

    @Test
    void shouldTreatAnAddressAsABlockOfOneAndZeroAsEverything() throws UnknownHostException
    {
        // Then
        assertThat(CidrBlock.parse("192.168.1.7")).isEqualTo(CidrBlock.parse("192.168.1.7/32"));
        assertThat(CidrBlock.parse("192.168.1.7").contains(InetAddress.getByName("192.168.1.7"))).isTrue();
        assertThat(CidrBlock.parse("192.168.1.7").contains(InetAddress.getByName("192.168.1.8"))).isFalse();
        assertThat(CidrBlock.parse("::1").contains(InetAddress.getByName("::1"))).isTrue();
        assertThat(CidrBlock.parse("0.0.0.0/0").contains(InetAddress.getByName("203.0.113.9"))).isTrue();
        assertThat(CidrBlock.parse("::/0").contains(InetAddress.getByName("fe80::1"))).isTrue();
    }

    @Test
    void shouldPrintWhatItParsesBackFrom()
    {
        // Then
        assertThat(CidrBlock.parse("10.0.0.0/8")).hasToString("10.0.0.0/8");
        assertThat(CidrBlock.parse("192.168.1.7/32")).hasToString("192.168.1.7");
        assertThat(CidrBlock.parse(CidrBlock.parse("2001:db8::/32").toString())).isEqualTo(CidrBlock.parse("2001:db8::/32"));
    }

    @Test
    void shouldRejectHostNamesAndMalformedBlocksWithoutResolvingThem()
    {
        // Then
        for (final String text : new String[]{"", "localhost", "10.0.0", "10.0.0.256", "10.0.0.1/", "10.0.0.1/x", "1.2.3.4.5",
            "fe80::1%eth0", "2001:db8::g", "10..0.1"})
        {
            assertThatThrownBy(() -> CidrBlock.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected an IP address or CIDR block such as 10.0.0.0/8, got '" + text + "'");
        }
        assertThatThrownBy(() -> CidrBlock.parse("10.0.0.0/33"))
            .hasMessage("'10.0.0.0/33': prefix length 33 is more than the 32 bits of the address");
        assertThatThrownBy(() -> CidrBlock.parse("2001:db8::1/32"))
            .hasMessage("'2001:db8::1/32' sets bits past the /32 prefix; did you mean 2001:db8:0:0:0:0:0:0/32?");
        assertThatThrownBy(() -> CidrBlock.parse("::ffff:10.0.0.1"))
            .hasMessage("'::ffff:10.0.0.1' is an IPv4-mapped address; write it as IPv4: 10.0.0.1");
    }
}
